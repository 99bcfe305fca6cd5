package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native build does besides producing the right tree: failures (one clear error naming the Dockerfile
 * line, exit non-zero, the store unchanged, no VM left), the step cache (a rebuild reuses every step and gives
 * the same image id; --no-cache runs the steps again), the image in use ({@code run --image}), its archive in
 * skopeo and Podman, {@code --target}, and {@code --engine auto} on a PATH without any engine.
 */
@Tag("qemu")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeBuildBehaviourIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static BusyboxImages images;
    private static String base;
    private static String indexBase;

    @TempDir
    static Path work;

    private static Path home() {
        return work.resolve("home");
    }

    @BeforeAll
    static void baseImage() {
        RequiredTools.requireRoot();
        RequiredTools.require("skopeo");
        VmFixtures.requireQemuAndKernel();
        images = new BusyboxImages(work);
        Path layout = images.copyToOciLayout(images.build("RUN mkdir -p /etc && echo a > /etc/a"), "1");
        base = "oci:" + layout + ":1";
        indexBase = "oci:" + NativeBuildCases.withIndex(layout, "1", "multi", "linux/amd64", "linux/arm64")
                + ":multi";
    }

    @AfterAll
    static void cleanUp() {
        try {
            assertThat(VmFixtures.removeEverySandbox(home())).as("build VMs left running").isEmpty();
        } finally {
            if (images != null) {
                images.close();
            }
        }
    }

    private static Path context(String dockerfile, String... files) throws IOException {
        Path ctx = Files.createTempDirectory(work, "ctx");
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("$BASE", base));
        for (int i = 0; i < files.length; i += 2) {
            Path p = ctx.resolve(files[i]);
            Files.createDirectories(p.getParent());
            Files.writeString(p, files[i + 1]);
        }
        return ctx;
    }

    private static CliRun build(String name, Path ctx, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--engine", "native", "-t", name));
        args.addAll(List.of(extra));
        args.add(ctx.toString());
        return CliRun.run(home(), args.toArray(String[]::new));
    }

    private static void assertNothingLeft(String name) throws IOException {
        assertThat(new ImageStore(AgentkernelHome.at(home())).contains(name)).as("image record of " + name).isFalse();
        Path sandboxes = home().resolve("sandboxes");
        if (Files.isDirectory(sandboxes)) {
            try (Stream<Path> s = Files.list(sandboxes)) {
                assertThat(s.toList()).as("sandboxes left").isEmpty();
            }
        }
        assertThat(VmFixtures.monitorsUnder(home())).as("monitors left").isEmpty();
    }

    @Test
    @Order(1)
    void failingRunNamesItsLineExitCodeAndOutputAndLeavesNothing() throws IOException {
        Path ctx = context("""
                FROM $BASE
                ENV X=1
                RUN echo first-step-output
                RUN echo going to fail; echo boom >&2; exit 3
                RUN echo never
                """);
        CliRun r = build("fails", ctx);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Dockerfile line 4: RUN /bin/sh -c echo going to fail; echo boom >&2; exit 3"
                + " failed with exit code 3").contains("  boom").contains("going to fail")
                .doesNotContain("never\n");
        assertNothingLeft("fails");
    }

    @Test
    @Order(2)
    void addUrlChecksumPlatformAndDateErrorsAreClearAndLeaveNothing() throws IOException {
        NativeBuildCases.startServer();
        try {
            String url = NativeBuildCases.url("/files/data.txt");
            CliRun mismatch = build("bad", context("FROM $BASE\nADD --checksum=sha256:" + "0".repeat(64) + " " + url
                    + " /x\n"));
            assertThat(mismatch.exitCode()).isEqualTo(2);
            assertThat(mismatch.lastErrLine()).contains("Dockerfile line 2").contains("checksum mismatch")
                    .contains("sha256:" + NativeBuildCases.sha256(NativeBuildCases.DATA));

            CliRun missing = build("bad", context("FROM $BASE\nADD " + NativeBuildCases.url("/files/none") + " /x\n"));
            assertThat(missing.exitCode()).isEqualTo(2);
            assertThat(missing.lastErrLine()).contains("Dockerfile line 2").contains("HTTP 404");

            CliRun local = build("bad", context("FROM $BASE\nADD --checksum=sha256:" + "0".repeat(64)
                    + " f.txt /x\n", "f.txt", "f\n"));
            assertThat(local.exitCode()).isEqualTo(2);
            assertThat(local.lastErrLine()).contains("Dockerfile line 2").contains("non-HTTP(S) sources");
        } finally {
            NativeBuildCases.stopServer();
        }
        CliRun platform = build("bad", context("FROM $BASE\nCOPY f.txt /\n", "f.txt", "f\n"), "--platform",
                "linux/s390x");
        assertThat(platform.exitCode()).isNotZero();
        assertThat(platform.lastErrLine()).contains("linux/s390x").contains("linux/amd64");

        CliRun notInIndex = build("bad", context("FROM " + indexBase + "\nCOPY f.txt /\n", "f.txt", "f\n"),
                "--platform", "linux/s390x");
        assertThat(notInIndex.exitCode()).isNotZero();
        assertThat(notInIndex.lastErrLine()).contains("no manifest for linux/s390x");

        CliRun runForOther = build("bad", context("FROM " + indexBase + "\nRUN true\n"), "--platform", "linux/arm64");
        assertThat(runForOther.exitCode()).isEqualTo(2);
        assertThat(runForOther.lastErrLine()).contains("Dockerfile line 2").contains("linux/arm64");

        CliRun badLabel = build("bad", context("FROM $BASE\n"), "--label", "=novalue");
        assertThat(badLabel.exitCode()).isEqualTo(2);
        assertThat(badLabel.lastErrLine()).contains("--label");

        CliRun badDate = build("bad", context("FROM $BASE\n"), "--build-arg", "SOURCE_DATE_EPOCH=yesterday");
        assertThat(badDate.exitCode()).isEqualTo(2);
        assertThat(badDate.lastErrLine()).contains("SOURCE_DATE_EPOCH");
        assertNothingLeft("bad");
    }

    @Test
    @Order(2)
    void sourceDateEpochBuildArgDatesTheImageAndLabelsOverride() throws IOException {
        Path ctx = context("FROM $BASE\nLABEL a=dockerfile b=kept\nCOPY f.txt /\n", "f.txt", "f\n");
        CliRun r = build("dated", ctx, "--build-arg", "SOURCE_DATE_EPOCH=1700000000", "--label", "a=cli");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("SOURCE_DATE_EPOCH"); // not reported as an unused build arg
        Path archive = work.resolve("dated.tar");
        assertThat(CliRun.run(home(), "images", "save", "dated", "-o", archive.toString()).exitCode()).isZero();
        String inspect = ExternalCommand.run(TIMEOUT, "skopeo", "inspect", "--config", "oci-archive:" + archive)
                .stdout();
        JsonNode config = new ObjectMapper().readTree(inspect);
        assertThat(config.path("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(config.path("config").path("Labels").path("a").asText()).isEqualTo("cli");
        assertThat(config.path("config").path("Labels").path("b").asText()).isEqualTo("kept");
    }

    @Test
    @Order(2)
    void cacheMountsPersistAcrossBuildsAndStayOutOfLayers() throws IOException {
        CliRun first = build("cache-a", context("""
                FROM $BASE
                RUN --mount=type=cache,id=shared-dl,target=/dl echo from-first > /dl/f && echo one > /one
                RUN --mount=type=cache,id=shared-dl,target=/dl,sharing=private ls /dl > /private-listing
                """));
        assertThat(first.exitCode()).as(first.err()).isZero();
        CliRun failing = build("cache-b", context("""
                FROM $BASE
                RUN --mount=type=cache,id=shared-dl,target=/other/place echo kept-though-failed > /other/place/g \
                    && exit 4
                """));
        assertThat(failing.exitCode()).isEqualTo(1);
        CliRun second = build("cache-c", context("""
                FROM $BASE
                RUN --mount=type=cache,id=shared-dl,target=/x cat /x/f /x/g > /seen
                """));
        assertThat(second.exitCode()).as(second.err()).isZero();
        CliRun seen = CliRun.run(home(), "run", "--image", "cache-c", "--", "cat", "/seen");
        assertThat(seen.out()).isEqualTo("from-first\nkept-though-failed\n");
        CliRun private_ = CliRun.run(home(), "run", "--image", "cache-a", "--", "sh", "-c",
                "cat /private-listing; test -e /dl && echo present || echo absent");
        assertThat(private_.out()).as("a private cache starts empty; the cache and its mount point are in no layer")
                .isEqualTo("absent\n");

        CliRun bind = build("bad", context("FROM $BASE\nRUN --mount=type=bind,target=/m true\n"));
        assertThat(bind.exitCode()).isEqualTo(2);
        assertThat(bind.lastErrLine()).contains("Dockerfile line 2").contains("type=bind");
        CliRun symlinked = build("bad", context("FROM $BASE\nRUN ln -s /etc /e\n"
                + "RUN --mount=type=cache,target=/e/c true\n"));
        assertThat(symlinked.exitCode()).isEqualTo(1);
        assertThat(symlinked.err()).contains("Dockerfile line 3").contains("symbolic link");
        assertNothingLeft("bad");
    }

    @Test
    @Order(2)
    void platformChoosesTheIndexEntry() throws IOException {
        Path ctx = context("FROM " + indexBase + "\nCOPY f.txt /\n", "f.txt", "f\n");
        for (String p : List.of("linux/amd64", "linux/arm64")) {
            String name = "plat-" + p.substring(p.indexOf('/') + 1);
            CliRun r = build(name, ctx, "--platform", p);
            assertThat(r.exitCode()).as(r.err()).isZero();
            Path archive = work.resolve(name + ".tar");
            assertThat(CliRun.run(home(), "images", "save", name, "-o", archive.toString()).exitCode()).isZero();
            JsonNode config = new ObjectMapper().readTree(ExternalCommand.run(TIMEOUT, "skopeo", "inspect",
                    "--config", "oci-archive:" + archive).stdout());
            assertThat(config.path("os").asText() + "/" + config.path("architecture").asText()).isEqualTo(p);
            assertThat(config.path("config").path("Labels").path("platform").asText())
                    .isEqualTo(p.equals("linux/arm64") ? "linux/arm64" : "");
        }
    }

    @Test
    @Order(2)
    void inputErrorsNameTheirLine() throws IOException {
        CliRun syntax = build("bad", context("FROM $BASE\nRUN echo ok\nFROBNICATE now\n"));
        assertThat(syntax.exitCode()).isEqualTo(2);
        assertThat(syntax.lastErrLine()).contains("line 3").containsIgnoringCase("frobnicate");

        CliRun missing = build("bad", context("FROM $BASE\n\nCOPY nothere.txt /x\n"));
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.lastErrLine()).contains("Dockerfile line 3").contains("nothere.txt")
                .contains("not in the build context");

        CliRun escape = build("bad", context("FROM $BASE\nCOPY ../../etc/passwd /x\n"));
        assertThat(escape.exitCode()).isEqualTo(2);
        assertThat(escape.lastErrLine()).contains("Dockerfile line 2").contains("outside the build context");

        Path outside = Files.writeString(work.resolve("outside-secret"), "secret");
        Path ctx = context("FROM $BASE\nCOPY link /x\n");
        Files.createSymbolicLink(ctx.resolve("link"), outside);
        CliRun viaLink = build("bad", ctx);
        assertThat(viaLink.exitCode()).isEqualTo(2);
        assertThat(viaLink.lastErrLine()).contains("Dockerfile line 2").contains("outside the build context");

        CliRun noBase = build("bad", context("FROM oci:" + work.resolve("no-such-layout") + ":1\nRUN true\n"));
        assertThat(noBase.exitCode()).isNotZero();
        assertThat(noBase.errLines()).hasSize(1);
        assertThat(noBase.lastErrLine()).contains("no-such-layout");
        assertNothingLeft("bad");
    }

    @Test
    @Order(3)
    void rebuildsFromTheCacheAndNoCacheRunsAgain() throws IOException {
        Path ctx = context("""
                FROM $BASE
                COPY app.txt /app/
                RUN echo ran-the-step && cat /app/app.txt > /made.txt
                RUN <<EOF
                echo heredoc-shell > /heredoc1
                EOF
                RUN <<EOT
                #!/bin/sh
                echo "heredoc-script $0" > /heredoc2
                EOT
                COPY <<EOF /inline.txt
                inline text
                EOF
                CMD ["cat", "/made.txt"]
                """, "app.txt", "version one\n");
        CliRun first = build("cached", ctx);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("\n  ran-the-step\n");
        String id = imageId("cached");

        long started = System.nanoTime();
        CliRun second = build("cached", ctx);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).doesNotContain("\n  ran-the-step\n").doesNotContain("booting");
        assertThat(second.err().lines().filter(l -> l.startsWith("  cached ")).count()).isEqualTo(5);
        assertThat(imageId("cached")).as("same image id").isEqualTo(id);
        System.out.println("cached rebuild: " + millis + " ms");
        assertThat(millis).as("a cached rebuild, in-process").isLessThan(5000);

        Files.writeString(ctx.resolve("app.txt"), "version two\n");
        CliRun changed = build("cached", ctx);
        assertThat(changed.err()).contains("\n  ran-the-step\n");
        assertThat(imageId("cached")).isNotEqualTo(id);

        CliRun noCache = build("cached", ctx, "--no-cache");
        assertThat(noCache.exitCode()).as(noCache.err()).isZero();
        assertThat(noCache.err()).contains("\n  ran-the-step\n").doesNotContain("  cached ");

        CliRun run = CliRun.run(home(), "run", "--image", "cached");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("version two\n");
        CliRun heredocs = CliRun.run(home(), "run", "--image", "cached", "--", "cat", "/heredoc1", "/heredoc2",
                "/inline.txt");
        assertThat(heredocs.out()).isEqualTo("heredoc-shell\nheredoc-script /dev/pipes/EOT\ninline text\n");
    }

    @Test
    @Order(4)
    void theSavedArchiveIsReadBySkopeoAndLoadedByPodman() throws IOException {
        Path archive = work.resolve("cached.tar");
        CliRun saved = CliRun.run(home(), "images", "save", "cached", "-o", archive.toString());
        assertThat(saved.exitCode()).as(saved.err()).isZero();
        JsonNode inspect = new ObjectMapper().readTree(ExternalCommand.run(TIMEOUT, "skopeo", "inspect",
                "oci-archive:" + archive).stdout());
        assertThat(inspect.path("Layers").size()).isGreaterThanOrEqualTo(3);
        assertThat(inspect.path("Os").asText()).isEqualTo("linux");
        String loaded = ExternalCommand.run(TIMEOUT, "podman", "load", "-q", "-i", archive.toString()).stdout();
        try {
            assertThat(loaded).contains("cached");
            String out = ExternalCommand.run(TIMEOUT, "podman", "run", "--rm", "--network=none",
                    "localhost/cached:latest").stdout();
            assertThat(out).isEqualTo("version two\n");
        } finally {
            ExternalCommand.runAllowingFailure(TIMEOUT, List.of("podman", "rmi", "-f", "localhost/cached:latest"));
        }
    }

    @Test
    @Order(5)
    void targetBuildsTheNamedStage() throws IOException {
        Path ctx = context("""
                FROM $BASE AS first
                LABEL stage=first
                COPY a.txt /a.txt
                FROM $BASE AS second
                LABEL stage=second
                RUN exit 1
                """, "a.txt", "a\n");
        CliRun r = build("targeted", ctx, "--target", "first");
        assertThat(r.exitCode()).as(r.err()).isZero();
        CliRun inspect = CliRun.run(home(), "images", "inspect", "targeted", "--json");
        assertThat(inspect.out()).contains("\"stage\"").contains("first").doesNotContain("second");
    }

    @Test
    @Order(6)
    void autoFallsBackToNativeWithoutAnyEngineAndTheImageBoots() throws Exception {
        Path bin = work.resolve("bin-without-engines");
        Files.createDirectories(bin);
        Set<String> engines = Set.of("docker", "podman", "buildah", "dockerd");
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            File[] programs = new File(dir).listFiles();
            for (File f : programs == null ? new File[0] : programs) {
                Path link = bin.resolve(f.getName());
                if (!engines.contains(f.getName()) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, f.toPath());
                }
            }
        }
        Path ctx = context("""
                FROM $BASE AS build
                RUN echo from-the-build-stage > /artifact
                FROM $BASE
                COPY --from=build /artifact /artifact
                RUN cat /artifact
                CMD ["sleep", "600"]
                """);
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.agentkernel.cli.Main");
        ProcessBuilder pb = new ProcessBuilder(concat(java, "build", "-t", "tools", ctx.toString()))
                .redirectErrorStream(true).redirectOutput(work.resolve("auto.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", bin.toString());
        env.put("AGENTKERNEL_HOME", home().toString());
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String log = Files.readString(work.resolve("auto.log"));
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("no container engine found").contains("native builder")
                .contains("from-the-build-stage");

        CliRun create = CliRun.run(home(), "create", "t", "--image", "tools", "--accel", "tcg", "--memory", "256");
        try {
            assertThat(create.exitCode()).as(create.err()).isZero();
            CliRun exec = CliRun.run(home(), "exec", "t", "--", "cat", "/artifact");
            assertThat(exec.out()).isEqualTo("from-the-build-stage\n");
        } finally {
            CliRun.run(home(), "rm", "-f", "t");
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private static String imageId(String name) {
        return new ImageStore(AgentkernelHome.at(home())).get(name).orElseThrow().id().toString();
    }
}
