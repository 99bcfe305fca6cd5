package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.testing.Umoci;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native builder against Buildah, the reference: each Dockerfile is built by {@code build --engine native}
 * and by {@code buildah build --isolation chroot} from the same context on the same base (a busybox OCI layout,
 * which both read as {@code FROM oci:DIR:1}); both images are unpacked by umoci and the trees compared entry by
 * entry (type, mode, owner, size, content, link target, hard-link groups, xattrs; the mtimes of files whose time
 * is not the build's own: the context's files are dated 2021, what RUN writes is dated at build time and not
 * compared), and the configs field by field. The saved archive is what umoci reads, so {@code images save} is
 * exercised on every case. Each native build boots one VM (TCG); every sandbox is removed afterwards.
 */
@Tag("qemu")
class NativeBuildIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CONTEXT_TIME = Instant.parse("2021-01-01T00:00:00Z");
    private static final Instant BUILD_TIMES = Instant.parse("2022-01-01T00:00:00Z");
    private static final List<String> buildahTags = Collections.synchronizedList(new ArrayList<>());
    private static BusyboxImages images;
    static String base;
    static String onbuildBase;

    @TempDir
    static Path work;

    private static Path home() {
        return work.resolve("home");
    }

    @BeforeAll
    static void baseImage() {
        RequiredTools.requireRoot();
        RequiredTools.require("buildah");
        RequiredTools.require("umoci");
        VmFixtures.requireQemuAndKernel();
        images = new BusyboxImages(work);
        String tag = images.build("RUN mkdir -p /etc/conf.d /tmp /srv/old/deep /home/app && chmod 1777 /tmp"
                + " && echo a > /etc/conf.d/a && echo b > /etc/b && echo old > /srv/old/deep/f"
                + " && printf 'root:x:0:0:root:/root:/bin/sh\\napp:x:1000:1000:app:/home/app:/bin/sh\\n' > /etc/passwd"
                + " && printf 'root:x:0:\\napp:x:1000:\\nstaff:x:50:\\n' > /etc/group && chown 1000:1000 /home/app && ln -s /srv /link-to-srv");
        Path layout = images.copyToOciLayout(tag, "1");
        base = "oci:" + layout + ":1";
        onbuildBase = "oci:" + NativeBuildCases.withOnBuild(layout, "1", "onbuild", List.of(
                "COPY hello.txt /onbuild/", "RUN echo triggered > /onbuild/ran", "ENV TRIGGERED=yes")) + ":onbuild";
        NativeBuildCases.startServer();
    }

    @AfterAll
    static void cleanUp() {
        NativeBuildCases.stopServer();
        try {
            assertThat(VmFixtures.removeEverySandbox(home())).as("build VMs left running").isEmpty();
        } finally {
            for (String tag : buildahTags) {
                ExternalCommand.runAllowingFailure(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "rmi", "-f",
                        tag));
            }
            if (images != null) {
                images.close();
            }
        }
    }

    /** Prepares a case's context beyond its text files (archives, binary files). */
    @FunctionalInterface
    interface Setup {
        void prepare(Path ctx) throws Exception;
    }

    /**
     * One Dockerfile and the context files it is built with; {@code options} go to both builders (--build-arg,
     * --label); {@code fails}: both must refuse it, and neither may store an image.
     */
    record Case(String name, String dockerfile, Map<String, String> files, List<String> options, Setup setup,
                boolean fails, String buildahDockerfile, Map<String, Map<String, String>> xattrs) {
        static Case of(String name, String dockerfile, String... files) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < files.length; i += 2) {
                m.put(files[i], files[i + 1]);
            }
            return new Case(name, dockerfile, m, List.of(), ctx -> { }, false, null, Map.of());
        }

        Case with(String... more) {
            List<String> all = new ArrayList<>(options);
            all.addAll(List.of(more));
            return new Case(name, dockerfile, files, all, setup, fails, buildahDockerfile, xattrs);
        }

        Case setup(Setup s) {
            return new Case(name, dockerfile, files, options, s, fails, buildahDockerfile, xattrs);
        }

        Case failing() {
            return new Case(name, dockerfile, files, options, setup, true, buildahDockerfile, xattrs);
        }

        /**
         * Buildah gets this Dockerfile instead (written as Dockerfile.buildah next to the other): for what the
         * Dockerfile reference documents and Buildah 1.28 does not know; each use says why.
         */
        Case buildahReads(String text) {
            return new Case(name, dockerfile, files, options, setup, fails, text, xattrs);
        }

        /**
         * The xattrs (hex values) these paths must have in both trees, so that a case about xattrs cannot pass
         * by both sides losing them.
         */
        Case xattrs(Map<String, Map<String, String>> expected) {
            return new Case(name, dockerfile, files, options, setup, fails, buildahDockerfile, expected);
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>(firstCases());
        all.addAll(NativeBuildCases.more());
        return all;
    }

    static List<Case> firstCases() {
        return List.of(
                Case.of("copy-forms", """
                        FROM $BASE
                        COPY hello.txt /app/
                        COPY sub /app/sub
                        COPY *.txt /globbed/
                        COPY hello.txt other.txt /two/
                        COPY hello.txt /renamed.txt
                        COPY --chown=1000:50 --chmod=0600 hello.txt /owned.txt
                        COPY --chown=app:staff sub /app-owned
                        COPY sub/ /etc/conf.d/
                        COPY . /whole/
                        """, "hello.txt", "hello\n", "other.txt", "other\n", "sub/inner.txt", "inner\n",
                        "sub/deeper/x.sh", "#!/bin/sh\n", "secret.key", "nope\n", "logs/a.log", "log\n",
                        ".dockerignore", "secret.key\nlogs\n"),
                Case.of("run-changes-lower-layers", """
                        FROM $BASE
                        RUN rm /etc/b && rm -rf /srv/old && mkdir -p /srv/old && echo new > /srv/old/g
                        RUN chmod 0700 /etc/conf.d/a && chown 1000:50 /etc/conf.d && ln /etc/conf.d/a /etc/a-link
                        RUN rm -rf /etc/conf.d && mkdir /etc/conf.d && echo replaced > /etc/conf.d/z
                        RUN ln -s ../etc/passwd /srv/pw && mkfifo /srv/fifo && touch /srv/empty && mkdir /var
                        RUN ["/bin/sh", "-c", "echo exec-form > /srv/exec"]
                        """),
                Case.of("env-user-workdir", """
                        FROM $BASE
                        ARG VERSION=1.2
                        ENV APP_HOME=/srv/app GREETING="hello there"
                        WORKDIR $APP_HOME
                        RUN echo "$GREETING $VERSION $APP_HOME" > env.txt && pwd > pwd.txt
                        USER app
                        WORKDIR /home/app/work
                        RUN id > /tmp/id.txt && echo "$HOME" > /tmp/home.txt && touch mine
                        USER root:staff
                        RUN id -u > /tmp/uid && id -g > /tmp/gid
                        COPY --chown=app hello.txt ./
                        """, "hello.txt", "hello\n"),
                Case.of("multi-stage", """
                        FROM $BASE AS builder
                        WORKDIR /src
                        COPY hello.txt .
                        RUN echo built > out.bin && chmod 0751 out.bin && chown 1000:50 out.bin \\
                            && mkdir -p dir/sub && echo x > dir/sub/y && ln -s sub/y dir/link
                        FROM $BASE
                        COPY --from=builder /src/out.bin /usr/local/bin/
                        COPY --from=builder /src/dir /opt/dir
                        COPY --from=0 --chown=app /src/hello.txt /hello-copy.txt
                        RUN cat /usr/local/bin/out.bin > /check && ls /opt/dir >> /check
                        """, "hello.txt", "hello\n"),
                Case.of("copy-into-existing-directories", """
                        FROM $BASE
                        COPY sub /etc/
                        COPY hello.txt /etc
                        COPY hello.txt /link-to-srv/through-link.txt
                        COPY sub/ /srv/old/
                        """, "hello.txt", "hello\n", "sub/inner.txt", "inner\n", "sub/deeper/d.txt", "d\n"),
                Case.of("copy-globs-and-modes", """
                        FROM $BASE
                        COPY su* /globdir/
                        COPY [hx]*.txt ?ther.txt /chars/
                        COPY --chmod=0750 sub /chmodded
                        COPY modes/ /modes/
                        """, "hello.txt", "hello\n", "other.txt", "o\n", "sub/inner.txt", "inner\n",
                        "suffix.txt", "s\n", "modes/private#0600", "p\n", "modes/exec#0755", "x\n",
                        "modes/setgid-dir#2775/f", "f\n"),
                Case.of("copy-symlinks-and-empty", """
                        FROM $BASE
                        COPY . /all/
                        COPY link.txt /followed-or-not
                        COPY empty /empty-copy
                        """, "hello.txt", "hello\n", "link.txt", "->hello.txt", "dangling", "->nowhere",
                        "empty", "", "emptydir/.keep", ""),
                Case.of("dockerignore-exceptions", """
                        FROM $BASE
                        COPY . /ctx/
                        """, "README.md", "r\n", "CHANGES.md", "c\n", "docs/a.txt", "a\n", "docs/keep/b.txt", "b\n",
                        "build/out.o", "o\n", "build/keep.txt", "k\n", "src/x.tmp", "t\n", "src/main.c", "m\n",
                        ".dockerignore", "*.md\n!README.md\ndocs/**\n!docs/keep/**\nbuild\n!build/keep.txt\n**/*.tmp\n"),
                Case.of("expansions-in-copy", """
                        FROM $BASE
                        ARG FILE=hello.txt
                        ENV DEST=/dest SUB=inner
                        COPY $FILE ${DEST}/
                        COPY sub/${SUB}.txt $DEST/${SUB:-x}-copy.txt
                        WORKDIR $DEST/work
                        COPY $FILE ./relative.txt
                        COPY sub ../fromsub
                        """, "hello.txt", "hello\n", "sub/inner.txt", "inner\n"),
                Case.of("stage-from-stage-without-run", """
                        FROM $BASE AS one
                        COPY hello.txt /one.txt
                        WORKDIR /w1
                        FROM one AS two
                        COPY other.txt /two.txt
                        FROM two
                        COPY --from=one /one.txt /again.txt
                        """, "hello.txt", "hello\n", "other.txt", "other\n"),
                Case.of("run-as-user-in-own-dirs", """
                        FROM $BASE
                        USER app
                        RUN mkdir -p /home/app/a/b && echo x > /home/app/a/b/f && chmod 0640 /home/app/a/b/f
                        USER root
                        RUN chown -R 1000:50 /srv && rm /srv/old/deep/f && touch /srv/old/deep
                        """),
                Case.of("env-forms", """
                        FROM $BASE
                        ENV A=1 B="two words" C=three\\ words D='single $A' E=
                        ENV LEGACY value with  two  spaces
                        ENV WITH_EQUALS=a=b
                        """),
                Case.of("label-forms", """
                        FROM $BASE
                        ENV V=1.0
                        LABEL "com.example.vendor"="ACME Inc" version=$V multi.label="a=b" other=value\\ spaced
                        LABEL legacy label value
                        """),
                Case.of("arg-scoping", """
                        ARG BASE_ARG=unused
                        FROM $BASE
                        USER ${username:-some_user}
                        LABEL before=${username:-unset}
                        ARG username=what_user
                        LABEL after=$username
                        ARG A=a
                        ARG B=${A}-b
                        ENV C=$B-c
                        """),
                Case.of("workdir-relative-and-env", """
                        FROM $BASE
                        ENV DIRPATH=/path
                        WORKDIR $DIRPATH/a
                        WORKDIR b
                        WORKDIR ../c
                        COPY hello.txt .
                        """, "hello.txt", "hello\n"),
                Case.of("cmd-entrypoint-forms", """
                        FROM $BASE
                        ENTRYPOINT ["/bin/echo", "entry"]
                        CMD echo shell form $HOME
                        EXPOSE 80/tcp 443 8000/udp
                        VOLUME ["/v1", "/v2"]
                        STOPSIGNAL 9
                        """),
                Case.of("copy-many-into-workdir", """
                        FROM $BASE
                        WORKDIR /srv/app
                        COPY a.txt b.txt c/ ./
                        COPY --chown=1000 c /srv/app/c-owned/
                        """, "a.txt", "a\n", "b.txt", "b\n", "c/one", "1\n", "c/two/three", "3\n"),
                Case.of("healthcheck-shell-onbuild", """
                        FROM $BASE
                        SHELL ["/bin/sh", "-ec"]
                        HEALTHCHECK --interval=30s --timeout=3s CMD wget -q localhost || exit 1
                        ONBUILD COPY . /onbuild
                        MAINTAINER someone@example.com
                        """),
                Case.of("copy-replaces-files-and-links", """
                        FROM $BASE
                        COPY hello.txt /etc/b
                        COPY other.txt /link-to-srv
                        COPY sub /etc/conf.d
                        """, "hello.txt", "hello\n", "other.txt", "other\n", "sub/a", "new a\n"),
                Case.of("copy-dot-and-dest-forms", """
                        FROM $BASE
                        WORKDIR /w
                        COPY . .
                        COPY hello.txt /w/x/
                        COPY ./sub/../hello.txt /cleaned.txt
                        """, "hello.txt", "hello\n", "sub/s.txt", "s\n"),
                Case.of("build-args-in-labels-and-env", """
                        FROM $BASE
                        ARG COLOR=red
                        ARG SIZE
                        ENV COLOR_ENV=$COLOR SIZE_ENV=${SIZE:-none} PLUS=${COLOR:+set}
                        LABEL color=$COLOR
                        """),
                Case.of("run-deletes-directory-tree-and-recreates-file", """
                        FROM $BASE
                        RUN rm -rf /home/app && echo file > /home/app && rm -rf /srv/old/deep \\
                            && mkdir -p /srv/old/deep/deeper && echo n > /srv/old/deep/deeper/n
                        """),
                Case.of("debian-minbase", """
                        FROM $DEBIAN
                        RUN useradd -m -u 1500 builder && rm -rf /usr/share/doc/bash /var/cache/debconf/templates.dat-old
                        RUN python3 -c 'import os; os.makedirs("/opt/py/a", exist_ok=True); open("/opt/py/a/f", "w").write("py")' \\
                            && chown -R builder:builder /opt/py && chmod -R g+w /opt/py
                        USER builder
                        WORKDIR /home/builder/app
                        RUN echo "$HOME $(id -un)" > note
                        """),
                Case.of("config-fields", """
                        FROM $BASE
                        LABEL org.example.name="native build" version=1
                        EXPOSE 8080 53/udp
                        VOLUME /data
                        STOPSIGNAL SIGTERM
                        ENTRYPOINT ["/bin/sh", "-c"]
                        CMD ["echo hi"]
                        ENV PATH=/usr/local/bin:/bin EMPTY=
                        RUN echo done > /done
                        """));
    }

    @TestFactory
    Stream<DynamicTest> sameTreeAndConfigAsBuildah() {
        String only = System.getProperty("nativeBuild.case"); // run one case alone: -DnativeBuild.case=NAME
        return cases().stream().filter(c -> only == null || only.equals(c.name()))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> compare(c)));
    }

    private void compare(Case c) throws Exception {
        Path ctx = context(c);
        List<String> nativeArgs = new ArrayList<>(List.of("build", "--engine", "native", "-t", c.name()));
        nativeArgs.addAll(c.options());
        nativeArgs.add(ctx.toString());
        CliRun built = CliRun.run(home(), nativeArgs.toArray(String[]::new));
        String tag = "localhost/agentkernel-native-" + c.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        buildahTags.add(tag);
        List<String> buildah = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs", "build", "--isolation",
                "chroot", "-q", "-t", tag));
        buildah.addAll(c.options());
        if (c.buildahDockerfile() != null) {
            buildah.addAll(List.of("-f", ctx.resolve("Dockerfile.buildah").toString()));
        }
        buildah.add(ctx.toString());
        if (c.fails()) {
            assertThat(built.exitCode()).as("native build of a failing case: " + built.err()).isNotZero();
            assertThat(new ImageStore(AgentkernelHome.at(home())).contains(c.name())).as("image stored").isFalse();
            ExternalCommand.Result theirs = ExternalCommand.runAllowingFailure(TIMEOUT, buildah);
            assertThat(theirs.exitCode()).as("Buildah's build of a failing case").isNotZero();
            assertThat(ExternalCommand.runAllowingFailure(TIMEOUT, List.of("buildah", "--storage-driver", "vfs",
                    "inspect", tag)).exitCode()).as("Buildah stored " + tag).isNotZero();
            return;
        }
        assertThat(built.exitCode()).as(built.err()).isZero();
        Path archive = work.resolve(c.name() + ".tar");
        CliRun saved = CliRun.run(home(), "images", "save", c.name(), "-o", archive.toString());
        assertThat(saved.exitCode()).as(saved.err()).isZero();
        Path ours = work.resolve(c.name() + "-ours");
        Files.createDirectories(ours);
        ExternalCommand.run(TIMEOUT, "tar", "-xf", archive.toString(), "-C", ours.toString());

        ExternalCommand.run(TIMEOUT, buildah);
        Path theirs = work.resolve(c.name() + "-buildah");
        ExternalCommand.run(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "push", "-q", tag,
                "oci:" + theirs + ":t"));

        Map<String, TreeSnapshot.Entry> expected = snapshot(Umoci.unpack(theirs, "t", work.resolve(c.name() + "-r1")));
        Map<String, TreeSnapshot.Entry> actual = snapshot(Umoci.unpack(ours, c.name(), work.resolve(c.name() + "-r2")));
        assertThat(TreeSnapshot.differences(expected, actual, new TreeSnapshot.Options(false, false,
                        buildahOnly(expected, actual, c))))
                .as("differences from Buildah's tree").isEmpty();
        for (Map.Entry<String, Map<String, String>> x : c.xattrs().entrySet()) {
            assertThat(expected.get(x.getKey())).as("Buildah's " + x.getKey()).isNotNull();
            assertThat(expected.get(x.getKey()).xattrs()).as("xattrs of Buildah's " + x.getKey())
                    .isEqualTo(x.getValue());
            assertThat(actual.get(x.getKey()).xattrs()).as("xattrs of our " + x.getKey()).isEqualTo(x.getValue());
        }
        assertThat(config(ours, c.name())).as("config").isEqualTo(config(theirs, "t"));
    }

    /**
     * What Buildah 1.28 leaves that the Dockerfile reference (BuildKit) does not make: the empty mount points of
     * /etc/hosts and /etc/resolv.conf a RUN had bind-mounted, and an empty directory for each VOLUME. Ignored
     * only when they are exactly that and we have nothing there.
     */
    private static List<String> buildahOnly(Map<String, TreeSnapshot.Entry> expected,
                                            Map<String, TreeSnapshot.Entry> actual, Case c) {
        List<String> out = new ArrayList<>();
        for (String p : List.of("etc/hosts", "etc/resolv.conf")) {
            TreeSnapshot.Entry e = expected.get(p);
            if (e != null && e.type() == 'f' && e.size() == 0 && !actual.containsKey(p)) {
                out.add(p);
            }
        }
        for (String line : c.dockerfile().split("\n")) {
            if (line.startsWith("VOLUME ")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("/([^\\s\",\\]]+)").matcher(line);
                while (m.find()) {
                    String p = m.group(1);
                    TreeSnapshot.Entry e = expected.get(p);
                    if (e != null && e.type() == 'd' && !actual.containsKey(p)) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    private static Path context(Case c) throws Exception {
        Path ctx = Files.createTempDirectory(work, c.name());
        String dockerfile = placeholders(c.dockerfile());
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        if (c.buildahDockerfile() != null) {
            Files.writeString(ctx.resolve("Dockerfile.buildah"), placeholders(c.buildahDockerfile()));
        }
        Map<Path, String> modes = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : c.files().entrySet()) {
            // "name#0600" gives a file or directory its mode, a value "->target" makes a symlink
            StringBuilder rel = new StringBuilder();
            for (String part : f.getKey().split("/")) {
                int hash = part.indexOf('#');
                rel.append(rel.length() == 0 ? "" : "/").append(hash < 0 ? part : part.substring(0, hash));
                if (hash >= 0) {
                    modes.put(ctx.resolve(rel.toString()), part.substring(hash + 1));
                }
            }
            Path p = ctx.resolve(rel.toString());
            Files.createDirectories(p.getParent());
            if (f.getValue().startsWith("->")) {
                Files.createSymbolicLink(p, Path.of(f.getValue().substring(2)));
            } else {
                Files.writeString(p, f.getValue());
            }
            if (f.getKey().endsWith(".sh")) {
                p.toFile().setExecutable(true);
            }
        }
        for (Map.Entry<Path, String> m : modes.entrySet()) {
            Files.setAttribute(m.getKey(), "unix:mode", Integer.parseInt(m.getValue(), 8));
        }
        try (Stream<Path> walk = Files.walk(ctx)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(CONTEXT_TIME));
                }
            }
        }
        c.setup().prepare(ctx);
        return ctx;
    }

    private static String placeholders(String dockerfile) {
        String out = dockerfile.replace("$BASE", base).replace("$HTTP", NativeBuildCases.url(""))
                .replace("$ONBUILD_BASE", onbuildBase);
        if (out.contains("$DEBIAN")) {
            out = out.replace("$DEBIAN", dev.agentkernel.testing.DebianImage.source());
        }
        return out;
    }

    /** The tree, with the mtimes of entries made during the build left out (they are the build's own time). */
    private static Map<String, TreeSnapshot.Entry> snapshot(Path rootfs) throws Exception {
        Map<String, TreeSnapshot.Entry> out = new TreeMap<>();
        for (Map.Entry<String, TreeSnapshot.Entry> e : TreeSnapshot.ofDirectory(rootfs).entrySet()) {
            TreeSnapshot.Entry x = e.getValue();
            boolean buildTime = x.mtime() != null && x.mtime().isAfter(BUILD_TIMES);
            out.put(e.getKey(), buildTime || x.type() != 'f' ? new TreeSnapshot.Entry(x.type(), x.mode(), x.uid(),
                    x.gid(), x.size(), x.sha256(), x.target(), x.xattrs(), x.major(), x.minor(), null, x.linkGroup())
                    : x);
        }
        return out;
    }

    /** The config fields both write (OCI's), Buildah's version label left out. */
    static Map<String, Object> config(Path layout, String ref) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        String manifestDigest = null;
        for (JsonNode m : index.path("manifests")) {
            if (ref.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                manifestDigest = m.path("digest").asText();
            }
        }
        assertThat(manifestDigest).as("manifest of " + ref + " in " + layout).isNotNull();
        JsonNode manifest = JSON.readTree(blob(layout, manifestDigest).toFile());
        JsonNode config = JSON.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile());
        JsonNode c = config.path("config");
        Map<String, Object> out = new TreeMap<>();
        for (String field : List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes",
                "StopSignal")) {
            if (!c.path(field).isMissingNode() && !c.path(field).isNull()) {
                out.put(field, c.path(field).toString());
            }
        }
        Map<String, String> labels = new TreeMap<>();
        c.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        labels.remove("io.buildah.version");
        out.put("Labels", labels);
        out.put("os/arch", config.path("os").asText() + "/" + config.path("architecture").asText());
        out.put("layers", manifest.path("layers").size() > 0);
        return out;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.substring(0, digest.indexOf(':')))
                .resolve(digest.substring(digest.indexOf(':') + 1));
    }
}
