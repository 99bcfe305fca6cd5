package dev.agentkernel.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The packaged guest agent, run on the host with {@code --stdio}, driven by the real {@link AgentClient}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdioAgentTest {
    @TempDir
    Path tmp;

    private Process process;
    private AgentChannel channel;
    private AgentClient agent;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(PackagedAgent.available(), "this build has no guest agent (no C compiler)");
        Path binary = tmp.resolve("agent");
        Files.write(binary, PackagedAgent.bytes());
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        process = new ProcessBuilder(binary.toString(), "--stdio")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        channel = new StreamAgentChannel(process.getInputStream(), process.getOutputStream());
    }

    /** The client on the channel; the raw tests talk to the channel itself instead. */
    private AgentClient agent() {
        if (agent == null) {
            agent = new AgentClient(channel);
        }
        return agent;
    }

    @AfterEach
    void stop() throws IOException {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void pingAndCommands() {
        agent().ping(Duration.ofSeconds(10));
        AgentProtocolChecks.exitCodesAndStreamsApart(agent());
        AgentProtocolChecks.outputThatIsNotTextArrivesExactly(agent());
        AgentProtocolChecks.environmentAndWorkingDirectory(agent(), tmp.resolve("work").toString());
        AgentProtocolChecks.missingProgram(agent());
    }

    @Test
    void files() {
        AgentProtocolChecks.binaryFileRoundTripAndRemoval(agent(), tmp.resolve("files").toString());
    }

    @Test
    void timeoutAndOutputLimit() {
        AgentProtocolChecks.timeoutKillsTheCommand(agent());
        AgentProtocolChecks.outputBeyondTheLimitIsCutAndFlagged(agent());
    }

    @Test
    void brokenFrames() throws IOException {
        AgentProtocolChecks.brokenFramesAreAnsweredAndTheStreamStaysInStep(channel);
    }

    /** Whatever bytes a frame holds, the agent answers it, and the stream stays usable. */
    @Test
    void everyFrameOfRandomBytesGetsAnAnswer() throws IOException {
        java.util.Random random = new java.util.Random(7);
        String[] fragments = {"{", "}", "\"id\"", ":", "\"type\"", "\"run\"", "[", "]", ",", "\"\\u12", "null", "1e999",
                "\"command\"", "\\", "\u00ff", "\"", " "};
        for (int i = 0; i < 300; i++) {
            StringBuilder payload = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                payload.append(fragments[random.nextInt(fragments.length)]);
            }
            byte[] bytes = payload.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (i % 10 == 0) {
                bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
            }
            channel.send(bytes);
            AgentResponse answer = AgentJson.decode(channel.receive(null));
            assertThat(answer.error() != null || answer.exitCode() != null).as(payload.toString()).isTrue();
        }
        agent().ping(Duration.ofSeconds(10));
    }

    @Test
    void shutdownEndsTheStdioAgent() throws InterruptedException {
        agent().shutdown(Duration.ofSeconds(10));
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void packagedAgentIsAStaticElfWithAStableDigest() {
        byte[] bytes = PackagedAgent.bytes();
        assertThat(bytes).startsWith(0x7F, 'E', 'L', 'F');
        assertThat(PackagedAgent.digest()).isEqualTo(dev.agentkernel.image.Digest.sha256(bytes));
    }
}
