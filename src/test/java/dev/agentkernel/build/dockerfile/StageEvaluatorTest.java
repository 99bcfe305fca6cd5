package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.BuildPlan.StagePlan;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Platform;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageEvaluatorTest {
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64/v8");
    private static final String PATH = "PATH=" + StageEvaluator.DEFAULT_PATH;

    private final Map<String, ImageSettings> images = new HashMap<>();
    private final List<String> resolved = new ArrayList<>();

    private BuildPlan plan(String dockerfile, BuildOptions options) {
        return StageEvaluator.evaluate(Dockerfile.parse(dockerfile), options, (ref, platform) -> {
            resolved.add(ref + "@" + platform);
            ImageSettings s = images.get(ref);
            if (s == null) {
                throw new UserInputException("no image " + ref);
            }
            return s;
        });
    }

    private BuildPlan plan(String dockerfile) {
        return plan(dockerfile, options(Map.of()));
    }

    private static BuildOptions options(Map<String, String> buildArgs) {
        return new BuildOptions(buildArgs, Optional.empty(), AMD64, AMD64);
    }

    private ImageSettings config(String dockerfile) {
        return plan(dockerfile).target().config();
    }

    private void failsAt(String dockerfile, BuildOptions options, int line, String message) {
        assertThatThrownBy(() -> plan(dockerfile, options)).isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile line " + line + ":").hasMessageContaining(message);
    }

    private static ImageSettings image(List<String> env, String workdir, String user, List<String> onBuild) {
        return new ImageSettings(env, List.of("/bin/sh"), List.of(), workdir, user, Map.of("base", "yes"), Set.of("22/tcp"),
                Set.of(), "", Optional.empty(), onBuild, List.of(), "");
    }

    @Nested
    class Config {
        @Test
        void scratchStartsWithTheDefaultPathAndNothingElse() {
            ImageSettings c = config("FROM scratch\n");
            assertThat(c.env()).containsExactly(PATH);
            assertThat(c.cmd()).isEmpty();
            assertThat(c.workingDir()).isEmpty();
        }

        @Test
        void everyConfigInstructionLandsInTheConfig() {
            ImageSettings c = config("""
                    FROM scratch
                    ENV A=1 B="two words"
                    ENV LEGACY value with spaces
                    LABEL "com.example.vendor"="ACME" version=$A
                    EXPOSE 80 443/udp 8000-8002 ${A}234
                    USER app:$A
                    WORKDIR /srv
                    WORKDIR app
                    VOLUME ["/data"] 
                    VOLUME /logs $A
                    STOPSIGNAL SIGQUIT
                    HEALTHCHECK --interval=5s CMD ["/bin/check"]
                    SHELL ["/bin/bash", "-c"]
                    CMD echo $A
                    ENTRYPOINT ["/entry"]
                    MAINTAINER someone
                    ONBUILD RUN echo child
                    """);
            assertThat(c.env()).containsExactly(PATH, "A=1", "B=two words", "LEGACY=value with spaces");
            assertThat(c.labels()).containsExactly(Map.entry("com.example.vendor", "ACME"), Map.entry("version", "1"));
            assertThat(c.exposedPorts()).containsExactlyInAnyOrder("80/tcp", "443/udp", "8000/tcp", "8001/tcp",
                    "8002/tcp", "1234/tcp");
            assertThat(c.user()).isEqualTo("app:1");
            assertThat(c.workingDir()).isEqualTo("/srv/app");
            assertThat(c.volumes()).containsExactlyInAnyOrder("/data", "/logs", "1");
            assertThat(c.stopSignal()).isEqualTo("SIGQUIT");
            assertThat(c.healthcheck()).map(HealthcheckConfig::test).contains(List.of("CMD", "/bin/check"));
            assertThat(c.shell()).containsExactly("/bin/bash", "-c");
            assertThat(c.cmd()).containsExactly("/bin/bash", "-c", "echo $A");
            assertThat(c.entrypoint()).containsExactly("/entry");
            assertThat(c.author()).isEqualTo("someone");
            assertThat(c.onBuild()).containsExactly("RUN echo child");
        }

        @Test
        void entrypointResetsAnInheritedCmdButNotOneSetInTheStage() {
            images.put("base", image(List.of(), "", "", List.of()));
            assertThat(config("FROM base\nENTRYPOINT [\"/e\"]\n").cmd()).isEmpty();
            assertThat(config("FROM base\nCMD [\"x\"]\nENTRYPOINT [\"/e\"]\n").cmd()).containsExactly("x");
            assertThat(config("FROM base\nENTRYPOINT [\"/e\"]\nCMD [\"y\"]\n").cmd()).containsExactly("y");
        }

        @Test
        void envValuesAreExpandedBeforeAnyOfTheLineIsSet() {
            ImageSettings c = config("FROM scratch\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n");
            assertThat(c.env()).containsExactly(PATH, "abc=bye", "def=hello", "ghi=bye");
        }

        @Test
        void workdirIsRelativeToThePreviousAndExpandsOnlyWhatIsSet() {
            assertThat(config("FROM scratch\nWORKDIR /a\nWORKDIR b\nWORKDIR c\n").workingDir()).isEqualTo("/a/b/c");
            assertThat(config("FROM scratch\nENV DIRPATH=/path\nWORKDIR $DIRPATH/$DIRNAME\n").workingDir()).isEqualTo("/path");
            assertThat(config("FROM scratch\nWORKDIR rel/../x/.\n").workingDir()).isEqualTo("/x");
        }

        @Test
        void theBaseImageConfigIsInheritedAndItsEnvExpands() {
            images.put("docker.io/library/debian:12", image(List.of("PATH=/usr/bin", "HOME=/root"), "/home", "nobody", List.of()));
            BuildPlan p = plan("FROM docker.io/library/debian:12\nWORKDIR $HOME/app\nENV P=$PATH:/opt\n");
            ImageSettings c = p.target().config();
            assertThat(c.env()).containsExactly("PATH=/usr/bin", "HOME=/root", "P=/usr/bin:/opt");
            assertThat(c.workingDir()).isEqualTo("/root/app");
            assertThat(c.user()).isEqualTo("nobody");
            assertThat(c.labels()).containsEntry("base", "yes");
            assertThat(c.exposedPorts()).contains("22/tcp");
            assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Image("docker.io/library/debian:12"));
            assertThat(resolved).containsExactly("docker.io/library/debian:12@linux/amd64");
        }

        @Test
        void badValuesAreErrorsOnTheirLine() {
            failsAt("FROM scratch\nENV A=${B\n", options(Map.of()), 2, "missing '}'");
            failsAt("FROM scratch\n\nSTOPSIGNAL SIGNOPE\n", options(Map.of()), 3, "invalid signal: SIGNOPE");
            failsAt("FROM scratch\nEXPOSE 80/icmp\n", options(Map.of()), 2, "invalid proto: icmp");
            failsAt("FROM scratch\nEXPOSE 9-1\n", options(Map.of()), 2, "invalid range");
            failsAt("FROM scratch\nEXPOSE 70000\n", options(Map.of()), 2, "invalid containerPort");
            failsAt("FROM scratch\nVOLUME $NOTHING\n", options(Map.of()), 2, "can not be an empty string");
            failsAt("FROM scratch\nCOPY --chmod=99 a /b\n", options(Map.of()), 2, "invalid chmod parameter");
            failsAt("FROM scratch\nADD --checksum=md5:00 a /b\n", options(Map.of()), 2, "invalid checksum");
            failsAt("FROM scratch\nRUN --mount=type=$T,target=/x true\n", options(Map.of()), 2, "unsupported mount type \"\"");
            failsAt("FROM $NOTHING\n", options(Map.of()), 1, "should not be blank");
            failsAt("FROM --platform=linux scratch\n", options(Map.of()), 1, "failed to parse platform");
        }

        @Test
        void whereBuildahDiffersTheReferenceIsFollowed() {
            ImageSettings c = config("""
                    # escape=`
                    FROM scratch
                    EXPOSE 9000/UDP 7000-7001
                    LABEL path=C:\\Windows `
                          dollar=`$HOME
                    SHELL ["/bin/bash", "-c"]
                    CMD echo hi
                    """);
            assertThat(c.exposedPorts()).containsExactlyInAnyOrder("9000/udp", "7000/tcp", "7001/tcp");
            assertThat(c.labels()).containsEntry("path", "C:\\Windows").containsEntry("dollar", "$HOME");
            assertThat(c.cmd()).containsExactly("/bin/bash", "-c", "echo hi");
            assertThat(config("FROM scratch AS p\nARG X=x\nFROM p\nLABEL x=$X\n").labels()).containsEntry("x", "x");
        }

        @Test
        void signalsByNameAndNumber() {
            for (String ok : List.of("9", "SIGTERM", "term", "SIGRTMIN+3", "RTMAX-2", "sigusr1")) {
                assertThat(Signals.isValid(ok)).as(ok).isTrue();
            }
            for (String bad : List.of("0", "65", "SIGFOO", "RTMIN+16", "")) {
                assertThat(Signals.isValid(bad)).as(bad).isFalse();
            }
        }
    }

    @Nested
    class Args {
        @Test
        void globalArgsExpandFromLinesOnlyUnlessRedeclared() {
            BuildPlan p = plan("""
                    ARG VERSION=1.2
                    ARG BASE=scratch
                    FROM $BASE
                    LABEL before=[$VERSION]
                    ARG VERSION
                    LABEL after=[$VERSION]
                    """);
            assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Scratch());
            assertThat(p.target().config().labels()).containsEntry("before", "[]").containsEntry("after", "[1.2]");
        }

        @Test
        void anArgComesIntoScopeOnItsLine() {
            String df = "FROM scratch\nUSER ${username:-some_user}\nARG username\nUSER $username\nLABEL u=$username\n";
            BuildPlan p = plan(df, options(Map.of("username", "what_user")));
            assertThat(p.target().config().user()).isEqualTo("what_user");
            assertThat(((Step.Config) p.target().steps().get(0)).createdBy()).isEqualTo("USER some_user");
            assertThat(plan(df).target().config().labels()).containsEntry("u", "");
        }

        @Test
        void buildArgsOverrideDefaultsAndDefaultsExpand() {
            String df = "ARG G=g\nFROM scratch\nARG A=a B=${A}-b C\nLABEL a=$A b=$B c=$C\n";
            assertThat(plan(df).target().config().labels()).containsEntry("a", "a").containsEntry("b", "a-b")
                    .containsEntry("c", "");
            assertThat(plan(df, options(Map.of("A", "x", "C", "z"))).target().config().labels())
                    .containsEntry("a", "x").containsEntry("b", "x-b").containsEntry("c", "z");
        }

        @Test
        void envOverridesAnArgOfTheSameNameWhicheverComesFirst() {
            BuildOptions o = options(Map.of("V", "from-cli"));
            assertThat(plan("FROM scratch\nARG V\nENV V=v1.0.0\nLABEL l=$V\n", o).target().config().labels())
                    .containsEntry("l", "v1.0.0");
            assertThat(plan("FROM scratch\nENV V=v1.0.0\nARG V\nLABEL l=$V\n", o).target().config().labels())
                    .containsEntry("l", "v1.0.0");
            assertThat(plan("FROM scratch\nARG V\nENV V=${V:-v1.0.0}\n", o).target().config().env())
                    .contains("V=from-cli");
            assertThat(plan("FROM scratch\nARG V\nENV V=${V:-v1.0.0}\n").target().config().env()).contains("V=v1.0.0");
        }

        @Test
        void argsAreInTheRunEnvironmentButNotInTheImage() {
            BuildPlan p = plan("FROM scratch\nARG A=1\nENV E=2\nRUN echo $A\n");
            Step.Run run = (Step.Run) p.target().steps().get(2);
            assertThat(run.context().env()).containsExactly(PATH, "E=2", "A=1");
            assertThat(run.argv()).containsExactly("/bin/sh", "-c", "echo $A");
            assertThat(run.createdBy()).isEqualTo("RUN |1 A=1 /bin/sh -c echo $A");
            assertThat(p.target().config().env()).containsExactly(PATH, "E=2");
        }

        @Test
        void automaticPlatformArgsAreGlobalAndCanBeRedeclared() {
            BuildOptions o = new BuildOptions(Map.of(), Optional.empty(), ARM64, AMD64);
            BuildPlan p = plan("""
                    FROM --platform=$BUILDPLATFORM scratch AS build
                    ARG TARGETARCH
                    ARG TARGETPLATFORM
                    LABEL arch=$TARGETARCH platform=$TARGETPLATFORM os=$TARGETOS build=$BUILDARCH
                    """, o);
            assertThat(p.target().platform()).isEqualTo(AMD64);
            assertThat(p.target().config().labels()).containsEntry("arch", "arm64").containsEntry("platform", "linux/arm64/v8")
                    .containsEntry("os", "").containsEntry("build", "");
            assertThat(plan("FROM scratch\n", o).target().platform()).isEqualTo(ARM64);
        }

        @Test
        void proxyArgsReachRunStepsWithoutAnArgButStayOutOfTheHistory() {
            BuildOptions o = options(Map.of("HTTP_PROXY", "http://proxy:3128", "no_proxy", "localhost", "OTHER", "x"));
            BuildPlan p = plan("FROM scratch\nRUN fetch\n", o);
            Step.Run run = (Step.Run) p.target().steps().get(0);
            assertThat(run.proxyEnv()).containsOnly(Map.entry("HTTP_PROXY", "http://proxy:3128"), Map.entry("no_proxy", "localhost"));
            assertThat(run.createdBy()).isEqualTo("RUN /bin/sh -c fetch");
            assertThat(run.context().env()).containsExactly(PATH);
            assertThat(p.unusedBuildArgs()).containsExactly("OTHER");
            BuildPlan declared = plan("FROM scratch\nARG HTTP_PROXY\nRUN fetch\n", o);
            Step.Run run2 = (Step.Run) declared.target().steps().get(1);
            assertThat(run2.proxyEnv()).containsOnlyKeys("no_proxy");
            assertThat(run2.context().env()).contains("HTTP_PROXY=http://proxy:3128");
        }

        @Test
        void unusedBuildArgsAreReported() {
            BuildPlan p = plan("ARG USED1\nFROM scratch\nARG USED2\n", options(Map.of("USED1", "1", "USED2", "2", "NOPE", "3")));
            assertThat(p.unusedBuildArgs()).containsExactly("NOPE");
        }
    }

    @Nested
    class Stages {
        private static final String MULTI = """
                FROM scratch AS base
                ENV FROM_BASE=1
                ARG IN_BASE=b
                ONBUILD LABEL triggered=yes
                FROM base AS child
                LABEL arg=$IN_BASE
                FROM scratch AS unrelated
                LABEL u=1
                FROM child AS grandchild
                COPY --from=base /a /a
                COPY --from=2 /b /b
                COPY --from=example.com/tools:1 /c c/
                """;

        @Test
        void theTargetAndWhatItNeedsArePlannedInOrder() {
            BuildPlan p = plan(MULTI);
            assertThat(p.stages()).extracting(StagePlan::index).containsExactly(0, 1, 2, 3);
            BuildPlan child = plan(MULTI, options(Map.of()).withTarget("CHILD"));
            assertThat(child.stages()).extracting(StagePlan::index).containsExactly(0, 1);
            assertThat(child.target().name()).contains("child");
            assertThat(child.target().base()).isEqualTo(new BuildPlan.Base.Stage(0));
            assertThat(plan(MULTI, options(Map.of()).withTarget("unrelated")).stages()).extracting(StagePlan::index)
                    .containsExactly(2);
        }

        @Test
        void aStageFromAStageInheritsItsConfigAndArgsAndRunsItsTriggersOnce() {
            BuildPlan p = plan(MULTI);
            ImageSettings child = p.stage(1).orElseThrow().config();
            assertThat(child.env()).containsExactly(PATH, "FROM_BASE=1");
            assertThat(child.labels()).containsEntry("arg", "b").containsEntry("triggered", "yes");
            assertThat(child.onBuild()).isEmpty();
            assertThat(p.stage(0).orElseThrow().config().onBuild()).containsExactly("LABEL triggered=yes");
            assertThat(p.target().config().labels()).containsEntry("triggered", "yes");
            long triggerSteps = p.target().steps().stream().filter(s -> s.createdBy().contains("triggered")).count();
            assertThat(triggerSteps).isZero();
        }

        @Test
        void copyFromResolvesStagesByNameOrIndexElseImages() {
            StagePlan target = plan(MULTI).target();
            List<Step.Copy> copies = target.steps().stream().filter(Step.Copy.class::isInstance).map(Step.Copy.class::cast).toList();
            assertThat(copies).extracting(Step.Copy::source).containsExactly(new Step.Source.Stage(0), new Step.Source.Stage(2),
                    new Step.Source.Image("example.com/tools:1"));
            assertThat(copies.get(2).destination()).isEqualTo("/c/");
            assertThat(copies.get(0).createdBy()).isEqualTo("COPY --from=0 /a /a");
        }

        @Test
        void copyFromErrors() {
            BuildOptions o = options(Map.of());
            failsAt("FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\n", o.withTarget("a"), 2,
                    "cannot copy from stage \"b\", it needs to be defined before current stage \"a\"");
            failsAt("FROM scratch AS a\nCOPY --from=a /x /x\n", o, 2, "circular dependency");
            failsAt("FROM scratch\nCOPY --from=5 /x /x\n", o, 2, "invalid stage index 5");
            failsAt("ARG S=a\nFROM scratch AS a\nFROM scratch\nCOPY --from=$S /x /x\n", o, 4, "variable expansion is not supported");
        }

        @Test
        void unneededStagesAreNotResolvedNorChecked() {
            BuildPlan p = plan("FROM missing-image AS broken\nCOPY --from=9 x y\nFROM scratch\nLABEL ok=1\n");
            assertThat(p.stages()).hasSize(1);
            assertThat(resolved).isEmpty();
        }

        @Test
        void anUnknownTargetSaysWhichStagesThereAre() {
            assertThatThrownBy(() -> plan(MULTI, options(Map.of()).withTarget("nope")))
                    .isInstanceOf(UserInputException.class)
                    .hasMessageContaining("target stage \"nope\" could not be found")
                    .hasMessageContaining("base, child, unrelated, grandchild");
        }

        @Test
        void ofStagesSharingANameTheLastIsUsedWithAWarning() {
            BuildPlan p = plan("FROM scratch AS x\nLABEL n=1\nFROM scratch AS x\nLABEL n=2\nFROM scratch\nCOPY --from=x /a /a\n");
            assertThat(((Step.Copy) p.target().steps().get(0)).source()).isEqualTo(new Step.Source.Stage(1));
            assertThat(p.warnings()).singleElement().asString().contains("line 3").contains("duplicate stage name \"x\"");
            assertThat(plan("FROM scratch AS x\nLABEL n=1\nFROM scratch AS x\nLABEL n=2\n", options(Map.of()).withTarget("x"))
                    .target().config().labels()).containsEntry("n", "2");
        }

        @Test
        void fromAStageNameDefinedLaterIsAnImage() {
            images.put("later", image(List.of(), "", "", List.of()));
            BuildPlan p = plan("FROM later AS first\nFROM scratch AS later\n", options(Map.of()).withTarget("first"));
            assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Image("later"));
        }

        @Test
        void baseImageTriggersRunFirstAndMayNeedMoreStages() {
            images.put("onbuild-base", image(List.of(), "/app", "", List.of("COPY --from=assets /x /x", "ENV T=1")));
            BuildPlan p = plan("FROM scratch AS assets\nFROM scratch AS unused\nFROM onbuild-base\nENV AFTER=$T\n");
            assertThat(p.stages()).extracting(StagePlan::index).containsExactly(0, 2);
            List<Step> steps = p.target().steps();
            assertThat(steps.get(0)).isInstanceOf(Step.Copy.class);
            assertThat(((Step.Copy) steps.get(0)).source()).isEqualTo(new Step.Source.Stage(0));
            assertThat(steps.get(0).line().start()).isEqualTo(3);
            assertThat(p.target().config().env()).contains("T=1", "AFTER=1");
            assertThat(p.target().config().onBuild()).isEmpty();
        }

        @Test
        void forbiddenOrBrokenTriggersInABaseImageAreErrorsAtItsFrom() {
            images.put("bad", image(List.of(), "", "", List.of("FROM other")));
            failsAt("FROM scratch\nFROM bad\n", options(Map.of()), 2, "FROM isn't allowed as an ONBUILD trigger");
            images.put("bad2", image(List.of(), "", "", List.of("NOTANINSTRUCTION x")));
            failsAt("FROM bad2\n", options(Map.of()), 1, "unknown instruction");
        }
    }

    @Nested
    class Steps {
        @Test
        void runForms() {
            BuildPlan p = plan("""
                    FROM scratch
                    WORKDIR /w
                    USER 1000
                    RUN ["/bin/busybox", "true"]
                    SHELL ["/bin/bash", "-eu", "-c"]
                    RUN --mount=type=cache,target=/cache,id=$CACHE_ID --network=none make
                    """);
            List<Step> steps = p.target().steps();
            Step.Run exec = (Step.Run) steps.get(2);
            assertThat(exec.argv()).containsExactly("/bin/busybox", "true");
            assertThat(exec.context()).isEqualTo(new ExecContext(List.of(PATH), "/w", "1000", List.of("/bin/sh", "-c")));
            Step.Run shell = (Step.Run) steps.get(4);
            assertThat(shell.argv()).containsExactly("/bin/bash", "-eu", "-c", "make");
            assertThat(shell.network()).isEqualTo(Instruction.Network.NONE);
            assertThat(shell.mounts()).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(RunMount.Type.CACHE);
                assertThat(m.target()).contains("/cache");
                assertThat(m.id()).contains("");
                assertThat(m.readOnly()).isFalse();
            });
            assertThat(shell.mountSources()).containsExactly(new Step.Source.Context());
            assertThat(steps.get(0)).isEqualTo(new Step.Workdir(steps.get(0).line(), "/w", "", "WORKDIR /w"));
            assertThat(steps).extracting(Step::changesFilesystem).containsExactly(true, false, true, false, true);
        }

        @Test
        void runMountFromAStageIsADependency() {
            BuildPlan p = plan("FROM scratch AS tools\nFROM scratch AS x\nFROM scratch\n"
                    + "RUN --mount=from=tools,source=/bin,target=/t /t/tool\n");
            assertThat(p.stages()).extracting(StagePlan::index).containsExactly(0, 2);
            Step.Run run = (Step.Run) p.target().steps().get(0);
            assertThat(run.mountSources()).containsExactly(new Step.Source.Stage(0));
            assertThat(run.mounts().get(0).readOnly()).isTrue();
        }

        @Test
        void heredocRunForms() {
            BuildPlan p = plan("""
                    FROM scratch
                    RUN <<EOF
                    echo one
                    echo two
                    EOF
                    RUN <<-EOF
                    \t#!/usr/bin/env python3
                    \tprint("hi")
                    \tEOF
                    RUN cat <<A >a && cat <<'B' >b
                    $x
                    A
                    $y
                    B
                    """);
            List<Step> steps = p.target().steps();
            assertThat(((Step.Run) steps.get(0)).argv()).containsExactly("/bin/sh", "-c", "echo one\necho two\n");
            Step.Run script = (Step.Run) steps.get(1);
            assertThat(script.argv()).containsExactly("/dev/pipes/EOF");
            assertThat(script.files()).containsExactly(new Step.InlineFile("/dev/pipes/EOF",
                    "#!/usr/bin/env python3\nprint(\"hi\")\n", 0755));
            assertThat(((Step.Run) steps.get(2)).argv()).containsExactly("/bin/sh", "-c",
                    "cat <<A >a && cat <<'B' >b\n$x\nA\n$y\nB");
        }

        @Test
        void copyAndAddExpandAndResolveTheirDestination() {
            BuildPlan p = plan("""
                    FROM scratch
                    ARG OWNER=app SRC=src
                    WORKDIR /srv
                    COPY --chown=$OWNER:$OWNER --chmod=u+x $SRC/ ./
                    COPY a rel
                    COPY a rel/
                    COPY a .
                    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.tgz /opt/
                    COPY <<EOF <<'RAW' /etc/
                    owner=$OWNER
                    EOF
                    raw=$OWNER
                    RAW
                    """);
            List<Step.Copy> copies = p.target().steps().stream().filter(Step.Copy.class::isInstance)
                    .map(Step.Copy.class::cast).toList();
            Step.Copy first = copies.get(0);
            assertThat(first.sources()).containsExactly("src/");
            assertThat(first.destination()).isEqualTo("/srv/");
            assertThat(first.chown()).contains("app:app");
            assertThat(first.chmod()).contains("u+x");
            assertThat(first.context().workdir()).isEqualTo("/srv");
            assertThat(copies).extracting(Step.Copy::destination).containsExactly("/srv/", "/srv/rel", "/srv/rel/", "/srv/",
                    "/opt/", "/etc/");
            assertThat(copies.get(4).add()).isTrue();
            assertThat(copies.get(4).checksum()).isPresent();
            assertThat(copies.get(5).inline()).containsExactly(new Instruction.InlineSource("EOF", "owner=app\n", true),
                    new Instruction.InlineSource("RAW", "raw=$OWNER\n", false));
        }
    }
}
