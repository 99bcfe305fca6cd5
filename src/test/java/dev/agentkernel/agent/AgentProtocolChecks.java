package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Protocol checks that run against any connected agent: the agent on the host ({@code --stdio}) and the
 * agent in a booted VM share them, so one booted VM answers many checks.
 */
public final class AgentProtocolChecks {
    private AgentProtocolChecks() {
    }

    public static void exitCodesAndStreamsApart(AgentClient agent) {
        RunResult r = agent.run(new AgentRequest.Run(List.of("sh", "-c", "echo out; echo err >&2; exit 7")));
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.timedOut()).isFalse();
    }

    /** Output that is not UTF-8 (binary, Latin-1) arrives byte for byte; UTF-8 output stays text. */
    public static void outputThatIsNotTextArrivesExactly(AgentClient agent) {
        RunResult r = agent.run(new AgentRequest.Run(List.of("sh", "-c",
                "printf 'caf\\351 \\377\\376 bin\\000ary'; printf 'caf\\303\\251 \\342\\202\\254' >&2")));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutBytes()).containsExactly('c', 'a', 'f', 0xe9, ' ', 0xff, 0xfe, ' ', 'b', 'i', 'n', 0, 'a',
                'r', 'y');
        assertThat(r.stderr()).isEqualTo("caf\u00e9 \u20ac");
    }

    public static void environmentAndWorkingDirectory(AgentClient agent, String dir) {
        agent.mkdir(dir, true);
        RunResult r = agent.run(new AgentRequest.Run(List.of("sh", "-c", "pwd; echo \"$GREETING\""), dir,
                Map.of("GREETING", "hello from the host"), 0));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(dir + "\nhello from the host\n");
    }

    public static void missingProgram(AgentClient agent) {
        RunResult r = agent.run(new AgentRequest.Run(List.of("no-such-program-here")));
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.error()).contains("no-such-program-here");
    }

    public static void binaryFileRoundTripAndRemoval(AgentClient agent, String dir) {
        byte[] content = new byte[300_000];
        new Random(42).nextBytes(content);
        agent.mkdir(dir + "/a/b", true);
        String path = dir + "/a/b/blob.bin";
        agent.writeFile(path, content);
        assertThat(agent.readFile(path)).isEqualTo(content);
        RunResult size = agent.run(new AgentRequest.Run(List.of("wc", "-c", path)));
        assertThat(size.stdout().trim()).startsWith("300000");
        agent.removeFile(path);
        assertThatThrownBy(() -> agent.readFile(path)).isInstanceOf(VmException.class)
                .hasMessageContaining("No such file");
        assertThatThrownBy(() -> agent.mkdir(dir + "/x/y", false)).isInstanceOf(VmException.class)
                .hasMessageContaining("No such file");
    }

    public static void timeoutKillsTheCommand(AgentClient agent) {
        Instant start = Instant.now();
        RunResult r = agent.run(new AgentRequest.Run(List.of("sh", "-c", "echo started; sleep 30"), null, Map.of(), 500));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));
    }

    public static void outputBeyondTheLimitIsCutAndFlagged(AgentClient agent) {
        RunResult r = agent.run(new AgentRequest.Run(List.of("sh", "-c",
                "i=0; while [ $i -lt 40000 ]; do echo 0123456789012345678901234567890123456789; i=$((i+1)); done")));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutTruncated()).isTrue();
        assertThat(r.stdout()).hasSize(1 << 20);
        assertThat(r.stderrTruncated()).isFalse();
    }

    /**
     * A malformed and an oversized frame get errors, and the next request is answered normally. Runs on a raw
     * channel: the answers to broken frames carry no id, which a connection rightly refuses.
     */
    public static void brokenFramesAreAnsweredAndTheStreamStaysInStep(AgentChannel channel) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        channel.send("{\"id\": \"x\", \"type\": ".getBytes(StandardCharsets.UTF_8));
        AgentResponse malformed = AgentJson.decode(channel.receive(deadline));
        assertThat(malformed.error()).startsWith("malformed request");

        int oversized = (16 << 20) + 1;
        byte[] frame = new byte[4 + oversized];
        System.arraycopy(AgentChannel.header(oversized), 0, frame, 0, 4);
        frame[4] = '{';
        channel.sendRaw(frame);
        AgentResponse tooLarge = AgentJson.decode(channel.receive(deadline));
        assertThat(tooLarge.error()).contains("larger than the limit");

        channel.send("{\"id\": \"7\", \"type\": \"teleport\"}".getBytes(StandardCharsets.UTF_8));
        AgentResponse unknown = AgentJson.decode(channel.receive(deadline));
        assertThat(unknown.id()).isEqualTo("7");
        assertThat(unknown.error()).contains("unknown request type 'teleport'");

        channel.send("{\"id\": \"8\", \"type\": \"ping\"}".getBytes(StandardCharsets.UTF_8));
        AgentResponse pong = AgentJson.decode(channel.receive(deadline));
        assertThat(pong.id()).isEqualTo("8");
        assertThat(pong.stdout()).isEqualTo("pong");
    }
}
