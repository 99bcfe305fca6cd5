package dev.agentkernel.build.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.Platform;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conformance against Buildah's own Dockerfile handling (the reference implementation that runs here): each
 * Dockerfile is built by {@code buildah build} (vfs storage, chroot isolation, Docker format so that
 * HEALTHCHECK, ONBUILD and SHELL are kept), and the image config Buildah wrote must equal the config our plan
 * says the target stage ends with. Base images are built by Buildah too, and our evaluator reads their config
 * through {@code buildah inspect}, as the native builder will read a base image's config.
 *
 * <p>Buildah 1.28 (Debian 12) differs from the Dockerfile reference in places, so the Dockerfiles here avoid
 * them (our unit tests pin the reference's behaviour for each): no here-documents; no {@code ${V-w}},
 * {@code ${V+w}}, {@code #}, {@code %} or {@code /} substitutions (only {@code :-} and {@code :+}); SHELL does not
 * change shell-form CMD and ENTRYPOINT; EXPOSE keeps a port range as one entry and a protocol's case; a stage
 * built FROM another does not inherit its ARGs; the ARGs of one line all expand in the scope before the line
 * (the reference expands them one after the other); with {@code # escape=`} expansions still treat {@code \} as
 * the escape; ENV before the first FROM is accepted; and {@code .dockerignore} treats {@code (} and {@code )} as
 * regular-expression groups.
 */
@Tag("engine")
class BuildahConformanceIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> tags = Collections.synchronizedList(new ArrayList<>());
    private static String baseImage;
    private static String triggerImage;

    @TempDir
    static Path work;

    /** One Dockerfile, with the build args and target to build it with. */
    private record Case(String name, String dockerfile, Map<String, String> buildArgs, String target) {
        static Case of(String name, String dockerfile) {
            return new Case(name, dockerfile, Map.of(), null);
        }

        Case args(String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put(kv[i], kv[i + 1]);
            }
            return new Case(name, dockerfile, m, target);
        }

        Case target(String stage) {
            return new Case(name, dockerfile, buildArgs, stage);
        }
    }

    /** The config fields both sides are compared on. */
    private record Observed(List<String> env, List<String> cmd, List<String> entrypoint, String workingDir,
                            String user, Map<String, String> labels, Set<String> exposedPorts, Set<String> volumes,
                            String stopSignal, List<String> healthTest, long healthInterval, long healthTimeout,
                            long healthStartPeriod, int healthRetries, List<String> onBuild, List<String> shell,
                            String author) {
    }

    @BeforeAll
    static void buildBaseImages() throws IOException {
        RequiredTools.requireRoot();
        RequiredTools.require("buildah");
        baseImage = buildahBuild("base", """
                FROM scratch
                ENV HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8
                WORKDIR /home/base
                USER nobody
                CMD ["base-cmd", "--flag"]
                LABEL base=yes shared=from-base
                EXPOSE 22
                VOLUME /base-data
                STOPSIGNAL SIGINT
                """, Map.of(), null);
        triggerImage = buildahBuild("trigger", """
                FROM scratch
                ENV APP=/app
                ONBUILD ENV TRIGGERED=yes
                ONBUILD LABEL trigger.home=$APP
                ONBUILD WORKDIR $APP/src
                """, Map.of(), null);
    }

    @AfterAll
    static void removeImages() {
        for (String tag : tags) {
            ExternalCommand.runAllowingFailure(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "rmi", "-f", tag));
        }
    }

    private static List<Case> cases() {
        return List.of(
                Case.of("env-forms", """
                        FROM scratch
                        ENV A=1 B="two words" C=three\\ words D='single $A' E=
                        ENV LEGACY value with  two  spaces
                        ENV WITH_EQUALS=a=b
                        """),
                Case.of("env-expands-before-setting", """
                        FROM scratch
                        ENV abc=hello
                        ENV abc=bye def=$abc
                        ENV ghi=${abc} jkl="$abc and $def"
                        """),
                Case.of("label-forms", """
                        FROM scratch
                        ENV V=1.0
                        LABEL "com.example.vendor"="ACME Inc" version=$V multi.label="a=b" other=value\\ spaced
                        LABEL legacy label value
                        LABEL ${V}key=x
                        """),
                Case.of("arg-comes-into-scope-on-its-line", """
                        FROM scratch
                        USER ${username:-some_user}
                        LABEL before=${username:-unset}
                        ARG username
                        LABEL after=$username
                        """).args("username", "what_user"),
                Case.of("arg-defaults-expand-in-order", """
                        FROM scratch
                        ARG A=a
                        ARG B=${A}-b
                        ARG C=$B-c
                        LABEL a=$A b=$B c=$C
                        """),
                Case.of("arg-defaults-overridden", """
                        FROM scratch
                        ARG A=a
                        ARG B=${A}-b
                        LABEL a=$A b=$B
                        """).args("A", "cli"),
                Case.of("env-overrides-arg-after", """
                        FROM scratch
                        ARG CONT_IMG_VER
                        ENV CONT_IMG_VER=v1.0.0
                        LABEL v=$CONT_IMG_VER
                        """).args("CONT_IMG_VER", "v2.0.1"),
                Case.of("env-overrides-arg-before", """
                        FROM scratch
                        ENV CONT_IMG_VER=v1.0.0
                        ARG CONT_IMG_VER
                        LABEL v=$CONT_IMG_VER
                        """).args("CONT_IMG_VER", "v2.0.1"),
                Case.of("env-default-from-arg-given", """
                        FROM scratch
                        ARG CONT_IMG_VER
                        ENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}
                        """).args("CONT_IMG_VER", "v2.0.1"),
                Case.of("env-default-from-arg-absent", """
                        FROM scratch
                        ARG CONT_IMG_VER
                        ENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}
                        """),
                Case.of("global-args-only-for-from", """
                        ARG BASE=scratch
                        ARG VERSION=1.2
                        FROM $BASE
                        LABEL before=[$VERSION]
                        ARG VERSION
                        LABEL after=[$VERSION]
                        """),
                Case.of("global-args-overridden", """
                        ARG VERSION=1.2
                        FROM scratch
                        ARG VERSION
                        LABEL v=$VERSION
                        """).args("VERSION", "2.0"),
                Case.of("colon-substitutions", """
                        FROM scratch
                        ENV SET=value EMPTY=
                        LABEL a=${SET:-d} b=${EMPTY:-d} c=${UNSET:-d} d=${SET:+alt} e=${EMPTY:+alt} f=${UNSET:+alt}
                        LABEL nested=${UNSET:-${EMPTY:-deep}} quoted="${UNSET:-q}" mixed=pre-${SET}-post
                        """),
                Case.of("quotes-and-escapes", """
                        FROM scratch
                        ENV E=e
                        LABEL a='$E' b=\\$E c="a\\"b" d=a\\ b e="$E" f="\\$E" g=a\\\\b h='it'"'"'s'
                        """),
                Case.of("dollar-without-name", """
                        FROM scratch
                        ENV A=a
                        LABEL a=$ b=a$ c=$A$A d=${A}b e=$Ab
                        """),
                Case.of("workdir-chain", """
                        FROM scratch
                        ENV DIRPATH=/path
                        WORKDIR /a
                        WORKDIR b
                        WORKDIR c/../d/.
                        LABEL wd=1
                        WORKDIR $DIRPATH/$DIRNAME
                        WORKDIR sub
                        """),
                Case.of("user-expands", """
                        FROM scratch
                        ARG UID=1000
                        ENV GROUP=staff
                        USER ${UID}:$GROUP
                        """),
                Case.of("volumes", """
                        FROM scratch
                        ENV D=/data
                        VOLUME ["/json", "$D/json"]
                        VOLUME /plain $D/plain
                        """),
                Case.of("expose-lists", """
                        FROM scratch
                        ENV PORT=8080 PORTS="81 82/udp"
                        EXPOSE 80 443/tcp 53/udp $PORT 9000/udp
                        EXPOSE $PORTS
                        """),
                Case.of("stopsignal-name", """
                        FROM scratch
                        ENV SIG=SIGUSR1
                        STOPSIGNAL $SIG
                        """),
                Case.of("stopsignal-number", "FROM scratch\nSTOPSIGNAL 9\n"),
                Case.of("healthcheck-shell", """
                        FROM scratch
                        HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1500ms --retries=3 \\
                          CMD curl -f http://localhost/ || exit 1
                        """),
                Case.of("healthcheck-exec", "FROM scratch\nHEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n"),
                Case.of("healthcheck-none", "FROM scratch\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n"),
                Case.of("cmd-entrypoint-exec", """
                        FROM scratch
                        ENTRYPOINT ["/entry", "a b"]
                        CMD ["--flag", "$NOT_EXPANDED"]
                        """),
                Case.of("cmd-entrypoint-shell", """
                        FROM scratch
                        CMD echo "$HOME" && exit 1
                        ENTRYPOINT exec top -b
                        """),
                Case.of("onbuild-and-maintainer", """
                        FROM scratch
                        ONBUILD RUN echo child
                        ONBUILD  COPY --chown=1 . /app/src
                        MAINTAINER Jane Doe <jane@example.com>
                        """),
                Case.of("shell-recorded", "FROM scratch\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"),
                Case.of("continuations-and-comments", """
                        FROM scratch
                        # a comment
                          # an indented comment
                        LABEL a=1 \\
                        # a comment inside the instruction
                              b=2 \\

                          c=3
                        CMD ["a", \\
                             "b"]
                        """),
                Case.of("escape-directive", """
                        # escape=`
                        FROM scratch
                        LABEL path=C:/Windows/System32 `
                              next=yes `
                              quoted="a b"
                        WORKDIR /dir
                        """),
                Case.of("case-insensitive", """
                        from scratch as Base
                        env A=1
                        label A=$A
                        Workdir /w
                        """),
                Case.of("automatic-platform-args", """
                        ARG TARGETARCH
                        FROM scratch
                        LABEL global=[$TARGETARCH]
                        ARG TARGETARCH
                        ARG TARGETOS
                        ARG TARGETPLATFORM
                        ARG BUILDPLATFORM
                        LABEL arch=$TARGETARCH os=$TARGETOS platform=$TARGETPLATFORM build=$BUILDPLATFORM
                        """),
                Case.of("target-prunes-later-stages", """
                        FROM scratch AS one
                        ENV ONE=1
                        LABEL stage=one
                        FROM one AS two
                        LABEL stage=two from.one=$ONE
                        WORKDIR /two
                        FROM scratch AS three
                        LABEL stage=three
                        """).target("two"),
                Case.of("last-stage-is-the-default-target", """
                        FROM scratch AS one
                        LABEL stage=one
                        FROM scratch
                        LABEL stage=last
                        """),
                Case.of("stage-from-stage-inherits-config", """
                        FROM scratch AS parent
                        ENV P=1
                        USER app
                        WORKDIR /srv
                        CMD ["parent"]
                        LABEL p=1
                        FROM parent AS child
                        ENV C=$P
                        LABEL c=1
                        """),
                Case.of("onbuild-of-a-stage-runs-in-its-child-only", """
                        FROM scratch AS parent
                        ONBUILD LABEL from.parent=yes
                        ONBUILD ENV TRIGGERED=1
                        LABEL p=1
                        FROM parent AS child
                        LABEL c=$TRIGGERED
                        FROM child
                        LABEL g=1
                        """),
                Case.of("from-base-image", """
                        FROM BASE_IMAGE
                        WORKDIR app
                        ENV P=$PATH:/opt H=$HOME
                        LABEL shared=from-child
                        """),
                Case.of("entrypoint-resets-inherited-cmd", "FROM BASE_IMAGE\nENTRYPOINT [\"/e\"]\n"),
                Case.of("cmd-before-entrypoint-survives", "FROM BASE_IMAGE\nCMD [\"mine\"]\nENTRYPOINT [\"/e\"]\n"),
                Case.of("base-image-triggers-run-first", """
                        FROM TRIGGER_IMAGE
                        LABEL after=$TRIGGERED
                        """),
                Case.of("global-arg-names-the-base", """
                        ARG IMG=BASE_IMAGE
                        FROM ${IMG}
                        LABEL from=$HOME
                        """),
                Case.of("unicode-values", "FROM scratch\nENV GREETING=grüß\\ dich LABEL=日本\nLABEL emoji=\"🙂 ok\"\n"));
    }

    @TestFactory
    Stream<DynamicTest> theConfigBuildahWritesIsTheConfigWePlan() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private void check(Case c) throws IOException {
        String dockerfile = c.dockerfile().replace("BASE_IMAGE", baseImage).replace("TRIGGER_IMAGE", triggerImage);
        String tag = buildahBuild(c.name(), dockerfile, c.buildArgs(), c.target());
        Observed buildah = observe(inspect(tag));
        BuildOptions options = new BuildOptions(c.buildArgs(), Optional.ofNullable(c.target()), Platform.host(),
                Platform.host());
        BuildPlan plan = StageEvaluator.evaluate(Dockerfile.parse(dockerfile), options, BuildahConformanceIT::baseConfig);
        assertThat(observe(plan.target().config())).as(c.name() + ":\n" + dockerfile).isEqualTo(buildah);
    }

    @Test
    void dockerfilesBuildahRejectsWeRejectToo() throws IOException {
        List<String> bad = List.of(
                "FROM scratch\nRUNN echo\n",
                "FROM scratch\nENV A=1 B\n",
                "FROM scratch\nLABEL a=\"unterminated\n",
                "FROM scratch\nWORKDIR\n",
                "FROM scratch\nCOPY onlyone\n",
                "FROM scratch\nLABEL a=${A\n",
                "FROM scratch\nSHELL /bin/sh -c\n",
                "FROM scratch\nHEALTHCHECK --interval=5 CMD x\n",
                "FROM scratch\nSTOPSIGNAL SIGNOPE\n");
        for (String dockerfile : bad) {
            Path ctx = Files.createTempDirectory(work, "bad");
            Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
            String tag = "localhost/agentkernel-conformance-bad-" + UUID.randomUUID().toString().substring(0, 8);
            tags.add(tag);
            ExternalCommand.Result r = ExternalCommand.runAllowingFailure(TIMEOUT, List.of("buildah", "--storage-driver",
                    "vfs", "build", "--format", "docker", "--isolation", "chroot", "-q", "-t", tag, ctx.toString()));
            assertThat(r.exitCode()).as("buildah accepts:\n" + dockerfile).isNotZero();
            assertThatThrownBy(() -> StageEvaluator.evaluate(Dockerfile.parse(dockerfile), BuildOptions.defaults(),
                    BuildahConformanceIT::baseConfig)).as(dockerfile).isInstanceOf(DockerfileException.class);
        }
    }

    @Test
    void theContextBuildahCopiesIsTheOneOurIgnoreFileLeaves() throws IOException {
        Path ctx = work.resolve("ignore-ctx");
        List<String> files = List.of("README.md", "README-secret.md", "CHANGES.md", "main.go", "docs/a.md",
                "docs/keep/b.txt", "build/out.o", "build/keep.txt", "src/app/x.tmp", "src/app/main.c", "src/lib/y.tmp",
                ".git/config", "nested/dir/deep/file", "temp1", "tempdir/inner");
        for (String f : files) {
            Path p = ctx.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f + "\n");
        }
        String ignore = """
                # comments and blank lines are not patterns

                *.md
                !README*.md
                README-secret.md
                docs
                !docs/keep
                /build/
                !build/keep.txt
                **/*.tmp
                .git
                nested/**/file
                temp?
                """;
        Files.writeString(ctx.resolve(".dockerignore"), ignore);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY . /ctx/\n");
        String tag = "localhost/agentkernel-conformance-ignore-" + UUID.randomUUID().toString().substring(0, 8);
        tags.add(tag);
        ExternalCommand.run(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "build", "--format", "docker",
                "--isolation", "chroot", "-q", "-t", tag, ctx.toString()));
        String container = ExternalCommand.run(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "from", tag))
                .stdout().strip();
        Set<String> copied = new TreeSet<>();
        try {
            Path root = Path.of(ExternalCommand.run(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "mount",
                    container)).stdout().strip()).resolve("ctx");
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).forEach(p -> copied.add(root.relativize(p).toString()));
            }
        } finally {
            ExternalCommand.runAllowingFailure(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "rm", container));
        }
        DockerIgnore ours = DockerIgnore.parse(ignore);
        Set<String> kept = new TreeSet<>();
        for (String f : files) {
            if (!ours.excludes(f)) {
                kept.add(f);
            }
        }
        kept.add("Dockerfile");
        kept.add(".dockerignore");
        assertThat(kept).as("what buildah copied").isEqualTo(copied);
        assertThat(copied).contains("README.md", "docs/keep/b.txt", "build/keep.txt", "src/app/main.c")
                .doesNotContain("README-secret.md", "CHANGES.md", "build/out.o", "src/lib/y.tmp", ".git/config");
    }

    private static String buildahBuild(String name, String dockerfile, Map<String, String> buildArgs, String target)
            throws IOException {
        Path ctx = Files.createTempDirectory(work, name);
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        String tag = "localhost/agentkernel-conformance-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        tags.add(tag);
        List<String> cmd = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs", "build", "--format", "docker",
                "--isolation", "chroot", "-q", "-t", tag));
        buildArgs.forEach((k, v) -> cmd.addAll(List.of("--build-arg", k + "=" + v)));
        if (target != null) {
            cmd.addAll(List.of("--target", target));
        }
        cmd.add(ctx.toString());
        ExternalCommand.run(TIMEOUT, cmd);
        return tag;
    }

    private static JsonNode inspect(String tag) throws IOException {
        String out = ExternalCommand.run(TIMEOUT, List.of("buildah", "--storage-driver", "vfs", "inspect", "--type",
                "image", tag)).stdout();
        return JSON.readTree(out).path("Docker");
    }

    /** A base image's config as our evaluator needs it, read the way Buildah stored it. */
    private static ImageSettings baseConfig(String reference, Platform platform) {
        try {
            JsonNode docker = inspect(reference);
            JsonNode c = docker.path("config");
            Optional<HealthcheckConfig> health = Optional.empty();
            if (c.path("Healthcheck").isObject()) {
                JsonNode h = c.path("Healthcheck");
                health = Optional.of(new HealthcheckConfig(strings(h.path("Test")), Duration.ofNanos(h.path("Interval").asLong()),
                        Duration.ofNanos(h.path("Timeout").asLong()), Duration.ofNanos(h.path("StartPeriod").asLong()),
                        Duration.ZERO, h.path("Retries").asInt()));
            }
            return new ImageSettings(strings(c.path("Env")), strings(c.path("Cmd")), strings(c.path("Entrypoint")),
                    c.path("WorkingDir").asText(""), c.path("User").asText(""), labels(c), keys(c.path("ExposedPorts")),
                    keys(c.path("Volumes")), c.path("StopSignal").asText(""), health, strings(c.path("OnBuild")),
                    strings(c.path("Shell")), docker.path("author").asText(""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Observed observe(JsonNode docker) {
        JsonNode c = docker.path("config");
        JsonNode h = c.path("Healthcheck");
        return new Observed(strings(c.path("Env")), strings(c.path("Cmd")), strings(c.path("Entrypoint")),
                c.path("WorkingDir").asText(""), c.path("User").asText(""), labels(c), keys(c.path("ExposedPorts")),
                keys(c.path("Volumes")), c.path("StopSignal").asText(""), strings(h.path("Test")),
                h.path("Interval").asLong(), h.path("Timeout").asLong(), h.path("StartPeriod").asLong(),
                h.path("Retries").asInt(), strings(c.path("OnBuild")), strings(c.path("Shell")),
                docker.path("author").asText(""));
    }

    private static Observed observe(ImageSettings s) {
        HealthcheckConfig h = s.healthcheck().orElse(null);
        return new Observed(s.env(), s.cmd(), s.entrypoint(), s.workingDir(), s.user(), new TreeMap<>(s.labels()),
                new TreeSet<>(s.exposedPorts()), new TreeSet<>(s.volumes()), s.stopSignal(),
                h == null ? List.of() : h.test(), h == null ? 0 : h.interval().toNanos(),
                h == null ? 0 : h.timeout().toNanos(), h == null ? 0 : h.startPeriod().toNanos(),
                h == null ? 0 : h.retries(), s.onBuild(), s.shell(), s.author());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static Set<String> keys(JsonNode object) {
        Set<String> out = new TreeSet<>();
        if (object.isObject()) {
            object.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode config) {
        Map<String, String> out = new TreeMap<>();
        JsonNode labels = config.path("Labels");
        if (labels.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("io.buildah.version")) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return out;
    }
}
