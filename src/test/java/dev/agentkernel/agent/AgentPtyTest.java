package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.agent.RawAgent.Outcome;
import dev.agentkernel.agent.RawFrames.Data;
import dev.agentkernel.agent.RawFrames.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** exec with a pseudo-terminal: window size, resize, ^C and ^D through the line discipline, the exit status. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentPtyTest {
    @TempDir
    Path tmp;

    private RawAgent agent;

    @BeforeEach
    void start() throws IOException {
        agent = RawAgent.start(tmp);
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void theTerminalHasTheRequestedSizeAndIsTheControllingTerminal() {
        Outcome o = agent.run("command", List.of("sh", "-c", "stty size; tty; echo err >&2; echo $TERM"), "tty", true,
                "rows", 33, "cols", 111);
        assertThat(o.out()).isEqualTo("33 111\r\n" + "/dev/pts/" + o.out().split("/dev/pts/")[1].split("\r\n")[0]
                + "\r\nerr\r\nxterm-256color\r\n");
        assertThat(o.stderr()).isEmpty(); // a terminal has one stream
        assertThat(o.exitCode()).isZero();
        Outcome defaults = agent.run("command", List.of("stty", "size"), "tty", true);
        assertThat(defaults.out()).isEqualTo("24 80\r\n");
        Outcome term = agent.run("command", List.of("sh", "-c", "echo $TERM"), "tty", true, "env", Map.of("TERM", "vt100"));
        assertThat(term.out()).isEqualTo("vt100\r\n");
    }

    @Test
    void resizeSendsSigwinch() {
        long s = agent.exec("command", List.of("sh", "-c", "trap 'stty size; exit 3' WINCH; echo ready; "
                + "while :; do sleep 0.05; done"), "tty", true);
        long seen = awaitOutput(s, "ready");
        assertThat(agent.call("type", "resize", "session", s, "rows", 50, "cols", 132).path("exit_code").asInt()).isZero();
        Outcome o = agent.collect(s, seen);
        assertThat(o.out()).contains("50 132");
        assertThat(o.exitCode()).isEqualTo(3);
    }

    @Test
    void controlCStopsTheForegroundProcess() {
        long s = agent.exec("command", List.of("sh", "-c", "echo ready; exec sleep 30"), "tty", true);
        long seen = awaitOutput(s, "ready");
        agent.sendData(RawFrames.STDIN, s, 0, new byte[] {3});
        Outcome o = agent.collect(s, seen);
        assertThat(o.exitCode()).isEqualTo(130);
        assertThat(o.exit().path("signal").asInt()).isEqualTo(2);
    }

    @Test
    void inputIsEchoedAndStdinCloseSendsEndOfFile() {
        long s = agent.exec("command", List.of("sh", "-c", "cat; echo cat ended"), "tty", true);
        agent.sendData(RawFrames.STDIN, s, 0, "typed\n".getBytes(StandardCharsets.UTF_8));
        agent.call("type", "stdin_close", "session", s);
        Outcome o = agent.collect(s);
        // the line discipline echoes the input, cat writes it back, ^D ends cat, the terminal stays open
        assertThat(o.out()).isEqualTo("typed\r\ntyped\r\ncat ended\r\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void resizeWithoutATerminalIsAnError() {
        long s = agent.exec("command", List.of("sleep", "30"));
        JsonNode r = agent.call("type", "resize", "session", s, "rows", 10, "cols", 10);
        assertThat(r.path("error").asText()).isEqualTo("resize: session " + s + " has no terminal");
        agent.call("type", "signal", "session", s, "signal", 9);
        agent.collect(s);
    }

    /** Reads the session's output until it contains text (the frames are consumed). */
    private long awaitOutput(long session, String text) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
            Frame f = agent.next();
            assertThat(f).as("output before %s", text).isInstanceOf(Data.class);
            assertThat(((Data) f).stream()).isEqualTo(session);
            seen.writeBytes(((Data) f).bytes());
        }
        return seen.size();
    }
}
