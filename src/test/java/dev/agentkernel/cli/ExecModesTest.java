package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.testing.AgentkernelProcess;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code exec}'s modes through the command line on one running busybox sandbox: output streamed as the
 * command writes it, stdin with {@code -i}, a pseudo-terminal with {@code -t} when this process has none, and
 * detached commands with {@code exec-list}, {@code exec-logs} and {@code exec-kill}; {@code attach} falling
 * back to {@code /bin/sh} on an image without bash.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecModesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path home;
    private BusyboxImages images;

    @BeforeAll
    void createSandbox() throws IOException {
        VmFixtures.requireQemuAndKernel();
        work = Files.createTempDirectory("ak-exec-test");
        home = work.resolve("home");
        images = new BusyboxImages(work);
        CliRun r = cli("create", "modes", "--image", VmFixtures.busyboxArchive(images), "--accel", "tcg",
                "--memory", "256");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterAll
    void cleanUp() {
        VmFixtures.tearDown(home, work, images);
    }

    private CliRun cli(String... args) {
        return CliRun.run(home, args);
    }

    @Test
    void outputStreamsWhileTheCommandRuns() throws Exception {
        try (AgentkernelProcess exec = AgentkernelProcess.start(home, "exec", "modes", "--", "sh", "-c",
                "echo first; echo oops >&2; sleep 5; echo second")) {
            Instant deadline = Instant.now().plusSeconds(30);
            while (!exec.out().contains("first")) {
                assertThat(Instant.now()).as("first line within 30 s; stderr: %s", exec.err()).isBefore(deadline);
                Thread.sleep(50);
            }
            assertThat(exec.isAlive()).as("the first line arrived before the command ended").isTrue();
            assertThat(exec.out()).doesNotContain("second");
            assertThat(exec.waitFor(Duration.ofSeconds(60))).isZero();
            assertThat(exec.out()).isEqualTo("first\nsecond\n");
            assertThat(exec.err()).isEqualTo("oops\n");
        }
    }

    @Test
    void interactiveForwardsStdinUntilEof() throws Exception {
        byte[] input = new byte[3 << 20];
        new Random(7).nextBytes(input);
        Path file = work.resolve("stdin.bin");
        Files.write(file, input);
        try (AgentkernelProcess exec = AgentkernelProcess.startWithInput(home, file, "exec", "-i", "modes", "--",
                "sh", "-c", "sha256sum; exit 4")) {
            assertThat(exec.waitFor(Duration.ofSeconds(120))).as(exec.err()).isEqualTo(4);
            assertThat(exec.out()).isEqualTo(sha256(input) + "  -\n");
        }
        CliRun withoutI = cli("exec", "modes", "--", "sh", "-c", "cat; echo end");
        assertThat(withoutI.out()).as("without -i the command's stdin is empty").isEqualTo("end\n");
    }

    @Test
    void ttyWithoutAHostTerminalGivesAGuestTerminalOfTheDefaultSize() {
        CliRun r = cli("exec", "-t", "modes", "--", "sh", "-c", "tty; stty size; echo err >&2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).matches("/dev/pts/\\d+\r\n24 80\r\nerr\r\n"); // one stream, the terminal's line ends
        assertThat(r.err()).isEmpty();
    }

    @Test
    void attachFallsBackToShWithoutBash() throws Exception {
        Path script = work.resolve("shell-input.txt");
        Files.writeString(script, "echo shell=$0\nexit 6\n");
        try (AgentkernelProcess attach = AgentkernelProcess.startWithInput(home, script, "attach", "modes")) {
            assertThat(attach.waitFor(Duration.ofSeconds(60))).as(attach.err()).isEqualTo(6);
            assertThat(attach.out()).contains("shell=/bin/sh");
        }
    }

    @Test
    void detachedCommandsAreListedLoggedAndKilled() throws Exception {
        CliRun started = cli("exec", "-d", "modes", "--", "sh", "-c", "echo out; echo err >&2; exec sleep 300");
        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(started.out()).matches("\\d+\n");
        String id = started.out().trim();
        CliRun done = cli("exec", "-d", "modes", "--", "sh", "-c", "exit 3");
        String doneId = done.out().trim();

        Instant deadline = Instant.now().plusSeconds(30);
        while (!cli("exec-logs", "modes", id, "--stderr").out().equals("err\n")) {
            assertThat(Instant.now()).as("the detached command wrote its stderr").isBefore(deadline);
            Thread.sleep(100);
        }
        assertThat(cli("exec-logs", "modes", id).out()).isEqualTo("out\n");
        assertThat(cli("exec-logs", "modes", "modes:" + id).out()).as("the MCP form of the id").isEqualTo("out\n");

        CliRun table = cli("exec-list", "modes");
        assertThat(table.out()).containsPattern("(?m)^" + id + "\\s+\\d+\\s+running\\s+\\S+\\s+sh -c echo out")
                .containsPattern("(?m)^" + doneId + "\\s+\\d+\\s+exited \\(3\\)");

        assertThat(cli("exec-kill", "modes", id).exitCode()).isZero();
        deadline = Instant.now().plusSeconds(30);
        JsonNode killed;
        do {
            assertThat(Instant.now()).as("the killed command ended").isBefore(deadline);
            Thread.sleep(100);
            killed = find(JSON.readTree(cli("exec-list", "modes", "--json").out()), id);
        } while (killed.get("running").asBoolean());
        assertThat(killed.get("signal").asInt()).isEqualTo(15);
        assertThat(killed.get("exit_code").asInt()).isEqualTo(143);

        CliRun again = cli("exec-kill", "modes", id);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.lastErrLine()).contains("has already ended");
        CliRun unknown = cli("exec-logs", "modes", "999999");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.lastErrLine()).isEqualTo("agentkernel: no detached command 999999 in sandbox 'modes'");
        assertThat(cli("exec-logs", "modes", "other:" + id).lastErrLine()).contains("belongs to another sandbox");
        assertThat(cli("exec-kill", "modes", id, "-s", "NOT A SIGNAL").exitCode()).isEqualTo(2);
    }

    /** The seed's own example, word for word: an engine build, a sandbox from the stored image, an exec. */
    @Test
    void theSeedsExampleBuildsCreatesAndExecs() throws IOException {
        Path context = Files.createDirectories(work.resolve("my-tools"));
        Files.copy(Files.exists(Path.of("/bin/busybox")) ? Path.of("/bin/busybox")
                : dev.agentkernel.testing.RequiredTools.require("busybox"), context.resolve("busybox"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nRUN echo 'Welcome to my-tools' > /etc/motd\n");
        String image = "my-tools-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        CliRun built = cli("build", "-t", image, context.toString());
        assertThat(built.exitCode()).as(built.err()).isZero();
        try {
            CliRun created = cli("create", "my-sandbox", "--image", image, "--accel", "tcg", "--memory", "256");
            assertThat(created.exitCode()).as(created.err()).isZero();
            CliRun motd = cli("exec", "my-sandbox", "--", "cat", "/etc/motd");
            assertThat(motd.exitCode()).as(motd.err()).isZero();
            assertThat(motd.out()).isEqualTo("Welcome to my-tools\n");
            assertThat(cli("rm", "-f", "my-sandbox").exitCode()).isZero();
        } finally {
            assertThat(cli("images", "rm", image).exitCode()).isZero();
        }
    }

    @Test
    void conflictingOptionsAreBadInput() {
        CliRun r = cli("exec", "-d", "-t", "modes", "--", "true");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.lastErrLine()).isEqualTo("agentkernel: -d runs the command detached: it cannot take -i or -t");
        assertThat(cli("exec", "nosuch", "--", "true").lastErrLine()).contains("nosuch");
    }

    private static JsonNode find(JsonNode list, String id) {
        for (JsonNode n : list) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no detached command " + id + " in " + list);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
