package dev.agentkernel.cli;

import dev.agentkernel.engine.EngineFixtures;
import dev.agentkernel.store.ImageStoreTestRecords;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gives one clear line and a non-zero exit, and leaves the store exactly as it was. */
class BadInputTest {
    @TempDir
    Path tmp;

    private Path home;
    private Path context;

    @BeforeEach
    void storeWithOneGoodAndOneCorruptRecord() throws IOException {
        home = tmp.resolve("home");
        new ImageStore(AgentkernelHome.at(home)).put(ImageStoreTestRecords.built("good"));
        Files.writeString(home.resolve("images/corrupt.json"), "{\"name\": \"corrupt\", \"id\": 12");
        context = EngineFixtures.copyOnlyContext(tmp.resolve("ctx"));
    }

    private Map<String, String> snapshot() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(home.resolve("locks"))).toList()) {
                files.put(home.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    private void assertRejected(int exitCode, String message, String... args) throws IOException {
        Map<String, String> before = snapshot();
        CliRun run = CliRun.run(home, args);
        assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(exitCode);
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("agentkernel: ").contains(message);
        assertThat(run.out()).isEmpty();
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void badNames() throws IOException {
        String ctx = context.toString();
        assertRejected(2, "image name must not be empty", "build", "-t", "", ctx);
        assertRejected(2, "use 'my-tools'", "build", "-t", "My-Tools", ctx);
        assertRejected(2, "must not be '..'", "build", "-t", "..", ctx);
        assertRejected(2, "must not be '.'", "build", "-t", ".", ctx);
        assertRejected(2, "use only letters, digits", "build", "-t", "a/b", ctx);
        assertRejected(2, "the limit is 128", "build", "-t", "a".repeat(129), ctx);
        assertRejected(2, "must start and end with a letter or digit", "build", "-t", "-x", ctx);
    }

    @Test
    void aMissingTagIsAParseErrorWithAHint() throws IOException {
        Map<String, String> before = snapshot();
        CliRun run = CliRun.run(home, "build", context.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("agentkernel: Missing required option: '--tag=NAME'",
                "Try 'agentkernel build --help' for more information.");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aCommandsOwnOptionsBeforeDashDashGetAHint() {
        CliRun run = CliRun.run(home, "exec", "box", "ls", "-la");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("agentkernel: Unknown option: '-la'",
                "agentkernel: put the command after --, as in: agentkernel exec NAME -- CMD ARGS...",
                "Try 'agentkernel exec --help' for more information.");
    }

    @Test
    void badContextDockerfileAndOptions() throws IOException {
        assertRejected(2, "build context " + tmp.resolve("nope") + " does not exist",
                "build", "-t", "x", tmp.resolve("nope").toString());
        assertRejected(2, "is not a directory", "build", "-t", "x", context.resolve("hello.txt").toString());
        Files.createDirectories(tmp.resolve("empty"));
        assertRejected(2, "no Dockerfile in " + tmp.resolve("empty"), "build", "-t", "x", tmp.resolve("empty").toString());
        assertRejected(2, "Dockerfile " + tmp.resolve("Other.dockerfile") + " does not exist",
                "build", "-t", "x", "-f", tmp.resolve("Other.dockerfile").toString(), context.toString());
        assertRejected(2, "invalid --build-arg 'NOVALUE'", "build", "-t", "x", "--build-arg", "NOVALUE",
                context.toString());
        assertRejected(2, "unknown engine 'containerd'", "build", "-t", "x", "--engine", "containerd",
                context.toString());
    }

    @Test
    void unknownAndCorruptImages() throws IOException {
        assertRejected(2, "no image named 'nosuch'", "images", "inspect", "nosuch");
        assertRejected(2, "no image named 'nosuch'", "images", "rm", "good", "nosuch");
        assertRejected(1, home.resolve("images/corrupt.json") + " is unusable", "images", "inspect", "corrupt");
    }

    @Test
    void aCorruptRecordIsAWarningThatHidesNoOtherImage() throws IOException {
        Map<String, String> before = snapshot();
        CliRun list = CliRun.run(home, "images");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.out()).contains("good");
        assertThat(list.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("agentkernel: warning: skipped " + home.resolve("images/corrupt.json") + ": "));
        CliRun json = CliRun.run(home, "images", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out()).contains("\"name\" : \"good\"");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aFailingBuildEndsWithOneClearLineAndStoresNothing() throws IOException {
        RequiredTools.requireRoot();
        RequiredTools.require("podman");
        Path failing = EngineFixtures.failingContext(tmp.resolve("failing"));
        Map<String, String> before = snapshot();

        CliRun run = CliRun.run(home, "build", "-t", EngineFixtures.uniqueName("fail"), "--engine", "podman",
                failing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("this step fails");
        assertThat(run.lastErrLine()).startsWith("agentkernel: podman build failed (exit ");
        assertThat(run.out()).isEmpty();
        assertThat(snapshot()).isEqualTo(before);
    }
}
