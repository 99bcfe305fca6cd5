package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.cli.NativeBuildIT.Case;
import dev.agentkernel.testing.ExternalCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The second half of {@link NativeBuildIT}'s Dockerfiles (heredocs, ADD of archives and URLs, parser directives,
 * variable-substitution corners, proxy args, .dockerignore corners, COPY --from an image, lower-layer changes on
 * the Debian base, USER/WORKDIR, SHELL, ONBUILD, --label, failures), with what they need: the HTTP server ADD
 * fetches from (127.0.0.1, a free port, started and stopped by the suite; Buildah fetches the same URLs) and the
 * base image with ONBUILD triggers.
 */
final class NativeBuildCases {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Served with this Last-Modified, so both builders give the file the same mtime (2020, compared). */
    static final String LAST_MODIFIED = "Wed, 21 Oct 2020 07:28:00 GMT";
    static final byte[] DATA = "downloaded data\n".getBytes(StandardCharsets.UTF_8);
    private static final String ADD_URL = """
            FROM $BASE
            ADD $HTTP/files/data.txt /dl/
            ADD %s$HTTP/files/data.txt /dl/checked.txt
            ADD --chown=app:staff --chmod=0644 $HTTP/files/remote.tar.gz /dl/
            WORKDIR /dl/work
            ADD $HTTP/files/data.txt .
            """;
    private static final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private static HttpServer server;

    private NativeBuildCases() {
    }

    static List<Case> more() {
        return List.of(
                Case.of("heredoc-run", """
                        FROM $BASE
                        ARG WHO=world
                        RUN <<EOF
                        echo "hello $WHO" > /greeting
                        mkdir -p /hd && echo one > /hd/one
                        EOF
                        RUN <<'EOF'
                        echo "quoted delimiter: $WHO" > /hd/quoted
                        EOF
                        RUN cat <<EOT > /hd/cat.txt && cat <<-"TABS" > /hd/tabs.txt
                        line one $WHO
                        line two
                        EOT
                        \tstripped $WHO
                        \tTABS
                        RUN <<EOF
                        #!/bin/sh
                        echo "from a script with a #! line" > /hd/script
                        EOF
                        """)
                        // Buildah 1.28 predates heredocs (Dockerfile 1.4): it builds what the reference says they
                        // mean, the shell reading each here-document (<<- strips tabs, a quoted delimiter expands
                        // nothing inside)
                        .buildahReads("""
                        FROM $BASE
                        ARG WHO=world
                        RUN echo "hello $WHO" > /greeting && mkdir -p /hd && echo one > /hd/one
                        RUN echo "quoted delimiter: $WHO" > /hd/quoted
                        RUN printf 'line one %s\\nline two\\n' "$WHO" > /hd/cat.txt \
                            && printf 'stripped $WHO\\n' > /hd/tabs.txt
                        RUN echo "from a script with a #! line" > /hd/script
                        """),
                Case.of("heredoc-copy", """
                        FROM $BASE
                        ARG NAME=value
                        ENV WHERE=/hc
                        COPY <<EOF /hc/unquoted.txt
                        name is $NAME in ${WHERE}
                        EOF
                        COPY <<"EOF" /hc/quoted.txt
                        name is $NAME, not expanded
                        EOF
                        COPY --chmod=0755 <<EOF ${WHERE}/run.sh
                        #!/bin/sh
                        echo hi
                        EOF
                        COPY <<one.txt <<two.txt /hc/many/
                        first
                        one.txt
                        second
                        two.txt
                        """)
                        // Buildah 1.28 predates heredocs: it copies context files with what the reference says
                        // the here-documents hold (unquoted: expanded; quoted: as written); they are dated as the
                        // native builder dates the files it writes (SOURCE_DATE_EPOCH, here 0)
                        .buildahReads("""
                        FROM $BASE
                        ARG NAME=value
                        ENV WHERE=/hc
                        COPY unquoted.txt /hc/unquoted.txt
                        COPY quoted.txt /hc/quoted.txt
                        COPY --chmod=0755 run.sh ${WHERE}/run.sh
                        COPY one.txt two.txt /hc/many/
                        """).setup(ctx -> {
                            Path eq = Files.createDirectories(ctx);
                            write(eq, "unquoted.txt", "name is value in /hc\n");
                            write(eq, "quoted.txt", "name is $NAME, not expanded\n");
                            write(eq, "run.sh", "#!/bin/sh\necho hi\n");
                            write(eq, "one.txt", "first\n");
                            write(eq, "two.txt", "second\n");
                        }),
                Case.of("add-local-archives", """
                        FROM $BASE
                        ADD plain.tar /x/plain
                        ADD gz.tar.gz /x/gz/
                        ADD bz.tar.bz2 xz.tar.xz /x/both/
                        ADD notatar.gz fake.tar /x/asis/
                        ADD gz.tar.gz /etc/conf.d/
                        COPY plain.tar /x/copied-not-unpacked.tar
                        """).setup(NativeBuildCases::archives),
                Case.of("add-url", ADD_URL.formatted("--checksum=sha256:" + sha256(DATA) + " "))
                        // ADD --checksum is in the Dockerfile reference (BuildKit 1.6) but not in Buildah 1.28, which
                        // refuses the flag: Buildah builds the same lines without it (the mismatch is checked in
                        // NativeBuildBehaviourIT)
                        .buildahReads(ADD_URL.formatted("")),
                Case.of("escape-directive", """
                        # escape=`
                        FROM $BASE
                        ENV WINPATH=C:\\dir\\sub DOLLAR=`$HOME
                        LABEL path=C:\\labels\\x
                        RUN echo one `
                            two > /escaped && echo "$WINPATH $DOLLAR" > /winpath
                        COPY hello.txt /ticked/
                        """, "hello.txt", "hello\n")
                        // Buildah 1.28 reads "# escape=`" for line continuations only and still drops backslashes
                        // in words (WINPATH=C:dirsub); the reference says the backslash is then an ordinary
                        // character (its c:\ example). Buildah builds the same values written with backslashes.
                        .buildahReads("""
                        FROM $BASE
                        ENV WINPATH=C:\\\\dir\\\\sub DOLLAR=\\$HOME
                        LABEL path=C:\\\\labels\\\\x
                        RUN echo one \\
                            two > /escaped && echo "$WINPATH $DOLLAR" > /winpath
                        COPY hello.txt /ticked/
                        """),
                Case.of("variable-substitution", """
                        FROM $BASE
                        ARG EMPTY=
                        ARG SET=value
                        ARG UNSET
                        ENV E1=${EMPTY:-dflt} E2=${EMPTY-dflt} E3=${UNSET:-dflt} E4=${UNSET-dflt}
                        ENV P1=${EMPTY:+alt} P2=${EMPTY+alt} P3=${SET:+alt} P4=${UNSET+alt}
                        ENV N1=${UNSET:-${SET:-x}} N2=${UNSET:-${ALSO_UNSET:-deep}} N3=${SET:+[${SET}]}
                        ENV ESC=\\$SET ESC2=\\${SET} MIX=a\\$b$SET QUOTED="$SET \\$SET" SINGLE='$SET'
                        LABEL l1="${SET}" l2='${SET}' l3=${SET}x
                        RUN echo "$E1|$E2|$E3|$E4|$P1|$P2|$P3|$P4|$N1|$N2|$N3|$ESC|$ESC2|$MIX" > /vars
                        """)
                        // Buildah 1.28's lexer knows ${VAR:-word} and ${VAR:+word} only; BuildKit's also takes the
                        // forms without the colon, which test "unset" rather than "unset or empty", as sh does:
                        // Buildah gets their values written out (an ARG without a value is unset)
                        .buildahReads("""
                        FROM $BASE
                        ARG EMPTY=
                        ARG SET=value
                        ARG UNSET
                        ENV E1=${EMPTY:-dflt} E2= E3=${UNSET:-dflt} E4=dflt
                        ENV P1=${EMPTY:+alt} P2=alt P3=${SET:+alt} P4=
                        ENV N1=${UNSET:-${SET:-x}} N2=${UNSET:-${ALSO_UNSET:-deep}} N3=${SET:+[${SET}]}
                        ENV ESC=\\$SET ESC2=\\${SET} MIX=a\\$b$SET QUOTED="$SET \\$SET" SINGLE='$SET'
                        LABEL l1="${SET}" l2='${SET}' l3=${SET}x
                        RUN echo "$E1|$E2|$E3|$E4|$P1|$P2|$P3|$P4|$N1|$N2|$N3|$ESC|$ESC2|$MIX" > /vars
                        """),
                Case.of("proxy-args", """
                        FROM $BASE
                        ARG DECLARED=d
                        RUN echo "$HTTP_PROXY|$no_proxy|$DECLARED" > /proxy
                        """).with("--build-arg", "HTTP_PROXY=http://proxy.invalid:3128", "--build-arg",
                        "no_proxy=localhost,127.0.0.1"),
                Case.of("dockerignore-corners", """
                        FROM $BASE
                        COPY . /ctx/
                        """, "top.log", "t\n", "sub/top.log", "s\n", "a/keep.txt", "k\n", "a/drop.log", "d\n",
                        "a/b/c.txt", "c\n", "a/b/other.log", "o\n", "x/c.txt", "xc\n", "spaced.txt", "sp\n",
                        "cleaned/f", "f\n", ".dockerignore", """
                        # a comment line
                        /top.log
                        a/*.log
                        !a/b
                        **/c.txt
                        !a/b/c.txt
                          spaced.txt  \s
                        ./cleaned/../cleaned
                        Dockerfile
                        .dockerignore
                        """),
                Case.of("copy-from-external-image", """
                        FROM $BASE
                        COPY --from=$BASE /etc/b /from-image/b
                        COPY --from=$BASE /srv /from-image/srv
                        COPY --from=$BASE --chown=app /etc/conf.d/ /from-image/conf/
                        """),
                // the hard-linked lower file is also chmodded: Buildah's vfs diff leaves out a file whose mode, owner,
                // size and mtime did not change, so it would write the new name alone, unlinked (Docker's overlay2
                // copies the file up and keeps both names linked, as the native builder does)
                Case.of("debian-lower-layer-changes", """
                        FROM $DEBIAN
                        RUN ln /etc/debian_version /etc/debian_version.link && chmod 0444 /etc/debian_version \\
                            && chmod 0600 /etc/issue \\
                            && chown 1234:2345 /etc/issue.net && chmod 0700 /opt && chown 1234 /srv
                        RUN rm /etc/issue.net && ln -s /etc/issue /etc/issue.net
                        """),
                Case.of("user-workdir-interplay", """
                        FROM $BASE
                        USER app
                        WORKDIR /made-by-app/sub
                        RUN touch mine && id -u > uid
                        USER root
                        WORKDIR /made-by-root
                        COPY hello.txt .
                        USER 1000:50
                        WORKDIR /home/app/nested
                        RUN pwd > /tmp/pwd-of-numeric && touch there
                        WORKDIR /home/app
                        """, "hello.txt", "hello\n"),
                Case.of("shell-changes", """
                        FROM $BASE
                        SHELL ["/bin/sh", "-ec"]
                        RUN echo "$0" > /shell0; echo first > /s1
                        SHELL ["/bin/busybox", "sh", "-c"]
                        RUN echo second > /s2
                        CMD echo shell form cmd
                        ENTRYPOINT echo shell form entry
                        """)
                        // the reference: SHELL applies to the shell forms of RUN, CMD and ENTRYPOINT; Buildah 1.28
                        // writes /bin/sh -c for CMD and ENTRYPOINT whatever SHELL says, so it gets them in exec form
                        .buildahReads("""
                        FROM $BASE
                        SHELL ["/bin/sh", "-ec"]
                        RUN echo "$0" > /shell0; echo first > /s1
                        SHELL ["/bin/busybox", "sh", "-c"]
                        RUN echo second > /s2
                        CMD ["/bin/busybox", "sh", "-c", "echo shell form cmd"]
                        ENTRYPOINT ["/bin/busybox", "sh", "-c", "echo shell form entry"]
                        """),
                Case.of("onbuild-triggered", """
                        FROM $ONBUILD_BASE
                        RUN cat /onbuild/hello.txt /onbuild/ran > /after && echo "$TRIGGERED" >> /after
                        """, "hello.txt", "hello from the context\n"),
                Case.of("label-option", """
                        FROM $BASE
                        LABEL version=from-dockerfile other=kept
                        """).with("--label", "org.example.from-cli=yes", "--label", "version=from-cli"),
                Case.of("failing-run", """
                        FROM $BASE
                        COPY hello.txt /
                        RUN echo about to fail && exit 7
                        RUN echo never
                        """, "hello.txt", "hello\n").failing(),
                // the cache's contents are seen by the next RUN that mounts it and are in no layer; the mount
                // point made for a step is removed afterwards, parents made for it stay (Buildah's way; the
                // Dockerfile reference does not say). /srv/cache's parent exists: Buildah 1.28 once kept a
                // three-level /var/cache/app made on the busybox base, and removed every other leaf we tried
                Case.of("run-cache-mount", """
                        FROM $BASE
                        RUN --mount=type=cache,target=/srv/cache echo kept > /srv/cache/f && echo one > /s1
                        RUN --mount=type=cache,target=/srv/cache cat /srv/cache/f > /seen
                        RUN --mount=type=cache,target=/made/parent/leaf echo x > /made/parent/leaf/y
                        RUN --mount=type=cache,id=owned,target=/home/app/.cache,uid=1000,gid=50,mode=0700 \\
                            touch /home/app/.cache/x && stat -c '%u:%g %a' /home/app/.cache > /owned
                        """),
                // xattrs a RUN sets, changes and removes, on its own files and on lower-layer ones (busybox has no
                // setfattr: the context carries a small static helper); user.* needs the build VM's ext4 scratch disk.
                // No trusted.*: Buildah's chroot isolation drops CAP_SYS_ADMIN, so setting one fails there (EPERM)
                Case.of("run-xattrs", """
                        FROM $BASE
                        COPY xattr /usr/local/bin/
                        RUN echo new > /new-file && xattr set /new-file user.note 68656c6c6f && mkdir /new-dir \\
                            && xattr set /new-dir user.dir 01 && xattr set /etc/b user.lower 6c6f776572 \\
                            && xattr set /etc/conf.d/a user.gone 01 && xattr set /etc/conf.d/a user.stays 02 \\
                            && echo cap > /cap-file && xattr set /cap-file security.capability %s
                        RUN xattr set /new-file user.note 6368616e676564 && xattr set /new-file user.added 02 \\
                            && xattr rm /etc/conf.d/a user.gone && xattr rm /etc/b user.lower \\
                            && xattr set /srv/old/deep/f user.lower-file 03
                        """.formatted(CAP_NET_BIND_SERVICE)).setup(NativeBuildCases::xattrTool)
                        .xattrs(Map.of("new-file", Map.of("user.note", "6368616e676564", "user.added", "02"),
                                "new-dir", Map.of("user.dir", "01"), "etc/b", Map.of(),
                                "etc/conf.d/a", Map.of("user.stays", "02"),
                                "srv/old/deep/f", Map.of("user.lower-file", "03"),
                                "cap-file", Map.of("security.capability", CAP_NET_BIND_SERVICE))),
                Case.of("global-and-automatic-args", """
                        ARG DIR=/from-global
                        FROM $BASE
                        ARG DIR
                        ARG TARGETPLATFORM
                        ARG TARGETOS
                        ARG TARGETARCH
                        RUN echo "$DIR $TARGETPLATFORM $TARGETOS $TARGETARCH" > /args
                        ENV DIR_ENV=$DIR
                        """));
    }

    /** security.capability for cap_net_bind_service+ep: VFS_CAP_REVISION_2 with the effective bit, permitted bit 10. */
    private static final String CAP_NET_BIND_SERVICE = "0100000200040000000000000000000000000000";

    private static final String XATTR_TOOL = """
            #include <stdio.h>
            #include <string.h>
            #include <sys/xattr.h>
            static int nibble(char c) {
                return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            }
            int main(int argc, char **argv) {
                if (argc == 5 && strcmp(argv[1], "set") == 0) {
                    unsigned char value[1024];
                    size_t n = strlen(argv[4]) / 2;
                    if (n > sizeof value) return 2;
                    for (size_t i = 0; i < n; i++) {
                        int hi = nibble(argv[4][2 * i]), lo = nibble(argv[4][2 * i + 1]);
                        if (hi < 0 || lo < 0) return 2;
                        value[i] = (unsigned char)(hi * 16 + lo);
                    }
                    if (lsetxattr(argv[2], argv[3], value, n, 0) != 0) { perror(argv[2]); return 1; }
                    return 0;
                }
                if (argc == 4 && strcmp(argv[1], "rm") == 0) {
                    if (lremovexattr(argv[2], argv[3]) != 0) { perror(argv[2]); return 1; }
                    return 0;
                }
                fprintf(stderr, "usage: xattr set PATH NAME HEX | xattr rm PATH NAME\\n");
                return 2;
            }
            """;

    /** Compiles the xattr helper (static, musl) into the context as {@code xattr}. */
    static void xattrTool(Path ctx) throws Exception {
        Path src = Files.createTempDirectory(ctx.getParent(), "xattr-src").resolve("xattr.c");
        Files.writeString(src, XATTR_TOOL);
        Path cc = dev.agentkernel.testing.RequiredTools.require("musl-gcc");
        ExternalCommand.run(TIMEOUT, cc.toString(), "-static", "-O2", "-s", "-o", ctx.resolve("xattr").toString(),
                src.toString());
        Files.setLastModifiedTime(ctx.resolve("xattr"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.parse("2021-01-01T00:00:00Z")));
    }

    /** Tars plain and compressed (GNU tar: owners, modes, a hard link, a symlink, dated 2021), and non-archives. */
    static void archives(Path ctx) throws Exception {
        Path src = Files.createTempDirectory(ctx.getParent(), "archive-src");
        Files.createDirectories(src.resolve("d/e"));
        Files.writeString(src.resolve("d/e/f.txt"), "in an archive\n");
        Files.writeString(src.resolve("top.txt"), "top\n");
        Files.setAttribute(src.resolve("top.txt"), "unix:mode", 0640);
        Files.createLink(src.resolve("d/hard"), src.resolve("top.txt"));
        Files.createSymbolicLink(src.resolve("d/sym"), Path.of("../top.txt"));
        List<String> tar = List.of("tar", "--owner=1000", "--group=50", "--numeric-owner", "--mtime=@1609459200",
                "--sort=name", "-C", src.toString());
        ExternalCommand.run(TIMEOUT, concat(List.of("tar", "-cf", ctx.resolve("plain.tar").toString()), tar));
        ExternalCommand.run(TIMEOUT, concat(List.of("tar", "-czf", ctx.resolve("gz.tar.gz").toString()), tar));
        ExternalCommand.run(TIMEOUT, concat(List.of("tar", "-cjf", ctx.resolve("bz.tar.bz2").toString()), tar));
        ExternalCommand.run(TIMEOUT, concat(List.of("tar", "-cJf", ctx.resolve("xz.tar.xz").toString()), tar));
        Files.writeString(ctx.resolve("notatar"), "gzipped text, not a tar\n");
        ExternalCommand.run(TIMEOUT, "gzip", "-n", ctx.resolve("notatar").toString());
        Files.writeString(ctx.resolve("fake.tar"), "a text file named like a tar\n");
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
    }

    private static List<String> concat(List<String> head, List<String> tarOptions) {
        List<String> out = new java.util.ArrayList<>(head);
        out.addAll(tarOptions.subList(1, tarOptions.size()));
        out.add(".");
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the file server on 127.0.0.1 (a free port): {@code /files/NAME} with a fixed Last-Modified. */
    static synchronized void startServer() {
        try {
            served.put("data.txt", DATA);
            Path dir = Files.createTempDirectory("agentkernel-remote-");
            try {
                Files.writeString(dir.resolve("inside.txt"), "inside a remote archive\n");
                Path archive = dir.resolve("remote.tar.gz");
                ExternalCommand.run(TIMEOUT, "tar", "-czf", archive.toString(), "-C", dir.toString(), "inside.txt");
                served.put("remote.tar.gz", Files.readAllBytes(archive));
            } finally {
                ExternalCommand.run(TIMEOUT, "rm", "-rf", dir.toString());
            }
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/files/", exchange -> {
                String name = exchange.getRequestURI().getPath().substring("/files/".length());
                byte[] body = served.get(name);
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                exchange.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static synchronized void stopServer() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** The server's URL for {@code path}: {@code http://127.0.0.1:PORT} + path. */
    static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The entry of {@code index} (the layout's index.json) named {@code ref}; the last one when several are. */
    private static JsonNode descriptor(Path layout, ObjectNode index, String ref) {
        JsonNode descriptor = null;
        for (JsonNode m : index.path("manifests")) {
            if (ref.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                descriptor = m;
            }
        }
        if (descriptor == null) {
            throw new IllegalStateException("no " + ref + " in " + layout);
        }
        return descriptor;
    }

    /**
     * Adds to the OCI layout a copy of image {@code ref} whose config has {@code triggers} as ONBUILD (the config's
     * {@code OnBuild}, Docker's field, which both builders read from an OCI config too), named {@code newRef}.
     */
    static Path withOnBuild(Path layout, String ref, String newRef, List<String> triggers) {
        try {
            ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
            JsonNode descriptor = descriptor(layout, index, ref);
            ObjectNode manifest = (ObjectNode) JSON.readTree(blob(layout, descriptor.path("digest").asText()));
            ObjectNode config = (ObjectNode) JSON.readTree(blob(layout, manifest.path("config").path("digest")
                    .asText()));
            ArrayNode onBuild = ((ObjectNode) config.path("config")).putArray("OnBuild");
            triggers.forEach(onBuild::add);
            byte[] configBytes = JSON.writeValueAsBytes(config);
            ((ObjectNode) manifest.path("config")).put("digest", "sha256:" + write(layout, configBytes))
                    .put("size", configBytes.length);
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            ObjectNode entry = ((ObjectNode) descriptor).deepCopy();
            entry.put("digest", "sha256:" + write(layout, manifestBytes)).put("size", manifestBytes.length);
            ((ObjectNode) entry.path("annotations")).put("org.opencontainers.image.ref.name", newRef);
            ((ArrayNode) index.path("manifests")).add(entry);
            Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
            return layout;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Adds to the OCI layout an image index named {@code newRef} that lists image {@code ref} for {@code platform}
     * ({@code os/arch}) and, for {@code other}, a copy of it whose config says so (same layers).
     */
    static Path withIndex(Path layout, String ref, String newRef, String platform, String other) {
        try {
            ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
            JsonNode descriptor = descriptor(layout, index, ref);
            ObjectNode imageIndex = JSON.createObjectNode();
            imageIndex.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
            ArrayNode list = imageIndex.putArray("manifests");
            ObjectNode first = ((ObjectNode) descriptor).deepCopy();
            first.remove("annotations");
            first.putObject("platform").put("os", platform.split("/")[0]).put("architecture", platform.split("/")[1]);
            list.add(first);
            ObjectNode manifest = (ObjectNode) JSON.readTree(blob(layout, descriptor.path("digest").asText()));
            ObjectNode config = (ObjectNode) JSON.readTree(blob(layout, manifest.path("config").path("digest")
                    .asText()));
            config.put("os", other.split("/")[0]).put("architecture", other.split("/")[1]);
            ((ObjectNode) config.path("config")).putObject("Labels").put("platform", other);
            byte[] configBytes = JSON.writeValueAsBytes(config);
            ((ObjectNode) manifest.path("config")).put("digest", "sha256:" + write(layout, configBytes))
                    .put("size", configBytes.length);
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            ObjectNode second = first.deepCopy();
            second.put("digest", "sha256:" + write(layout, manifestBytes)).put("size", manifestBytes.length);
            second.putObject("platform").put("os", other.split("/")[0]).put("architecture", other.split("/")[1]);
            list.add(second);
            byte[] indexBytes = JSON.writeValueAsBytes(imageIndex);
            ObjectNode entry = JSON.createObjectNode();
            entry.put("mediaType", "application/vnd.oci.image.index.v1+json")
                    .put("digest", "sha256:" + write(layout, indexBytes)).put("size", indexBytes.length);
            entry.putObject("annotations").put("org.opencontainers.image.ref.name", newRef);
            ((ArrayNode) index.path("manifests")).add(entry);
            Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
            return layout;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] blob(Path layout, String digest) throws IOException {
        return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
    }

    private static String write(Path layout, byte[] bytes) throws IOException {
        String hex = sha256(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(hex), bytes);
        return hex;
    }
}
