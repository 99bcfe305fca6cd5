package dev.agentkernel.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The version-2 client against the real agent on the host ({@code --stdio}): commands, end to end. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentExecStdioTest {
    @TempDir
    Path tmp;

    private StdioAgents agents;
    private AgentConnection connection;

    @BeforeEach
    void connect() {
        agents = new StdioAgents(tmp);
        connection = agents.open();
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
        agents.close();
    }

    private static ExecSpec sh(String script) {
        return ExecSpec.of(List.of("sh", "-c", script));
    }

    @Test
    void helloSaysVersion2() {
        assertThat(connection.hello().protocol()).isEqualTo(2);
        assertThat(connection.hello().features()).contains("exec", "pty", "detach", "copy");
    }

    @Test
    void outputStreamsAsItComesAndTheExitCodeReturns() {
        List<String> chunks = new CopyOnWriteArrayList<>();
        List<Instant> times = new CopyOnWriteArrayList<>();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                chunks.add(new String(b, off, len, StandardCharsets.UTF_8));
                times.add(Instant.now());
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecSession s = connection.start(sh("echo one; sleep 1; echo two; echo oops >&2; exit 3"), out, err);
        ExitStatus status = s.waitFor(Duration.ofSeconds(30));
        assertThat(status).isEqualTo(new ExitStatus(3, 0, false, false));
        assertThat(String.join("", chunks)).isEqualTo("one\ntwo\n");
        assertThat(chunks.get(0)).isEqualTo("one\n");
        // "one" arrived while the command still slept: streamed, not buffered to the end
        assertThat(Duration.between(times.get(0), times.get(times.size() - 1))).isGreaterThan(Duration.ofMillis(500));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }

    @Test
    void environmentWorkingDirectoryAndAFreshSessionOnTheSameConnection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecSpec spec = sh("pwd; echo \"$GREETING\"").withCwd(tmp.toString()).withEnv(Map.of("GREETING", "hi"));
        assertThat(connection.start(spec, out, null).waitFor(Duration.ofSeconds(30)).exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(tmp + "\nhi\n");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        connection.start(ExecSpec.of(List.of("echo", "again")), again, null).waitFor(Duration.ofSeconds(30));
        assertThat(again.toString(StandardCharsets.UTF_8)).isEqualTo("again\n");
    }

    @Test
    void aMissingProgramIsExitCode127() {
        assertThatThrownBy(() -> connection.start(ExecSpec.of(List.of("no-such-program-here")), null, null))
                .isInstanceOf(ExecStartException.class)
                .hasMessageContaining("no-such-program-here")
                .satisfies(e -> assertThat(((ExecStartException) e).exitCode()).isEqualTo(127));
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void stdinIsPassedOnAndClosed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecSession s = connection.start(ExecSpec.of(List.of("sh", "-c", "wc -c; echo done")).withStdin(), out, null);
        byte[] block = new byte[300_000];
        java.util.Arrays.fill(block, (byte) 'x');
        s.writeStdin(block);
        s.writeStdin(block, 0, 1000);
        s.closeStdin();
        assertThat(s.waitFor(Duration.ofSeconds(30)).exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).trim().split("\\s+")).containsExactly("301000", "done");
    }

    @Test
    void signalsReachTheProcessGroup() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecSession s = connection.start(sh("trap 'echo got INT; exit 5' INT; echo ready; while true; do sleep 0.1; done"),
                out, null);
        waitForOutput(out, "ready\n");
        s.signal("INT");
        assertThat(s.waitFor(Duration.ofSeconds(30)).exitCode()).isEqualTo(5);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ready\ngot INT\n");

        ExecSession killed = connection.start(ExecSpec.of(List.of("sleep", "60")), null, null);
        killed.signal("9");
        assertThat(killed.waitFor(Duration.ofSeconds(30))).isEqualTo(new ExitStatus(137, 9, false, false));
    }

    @Test
    void theAgentsTimeoutKillsTheCommand() {
        ExecSession s = connection.start(ExecSpec.of(List.of("sleep", "60")).withTimeoutMs(300), null, null);
        ExitStatus status = s.waitFor(Duration.ofSeconds(30));
        assertThat(status.timedOut()).isTrue();
        assertThat(status.exitCode()).isEqualTo(137);
    }

    @Test
    void ourOwnWaitRunningOutLeavesTheCommandRunning() {
        ExecSession s = connection.start(ExecSpec.of(List.of("sleep", "60")), null, null);
        assertThatThrownBy(() -> s.waitFor(Duration.ofMillis(300))).hasMessageContaining("did not end within");
        assertThat(connection.isOpen()).isTrue();
        s.signal("KILL");
        assertThat(s.waitFor(Duration.ofSeconds(30)).signal()).isEqualTo(9);
    }

    @Test
    void aPseudoTerminalWithResizeAndControlCharacters() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecSession s = connection.start(sh("stty size; read line; echo \"line=$line\"; stty size; sleep 30")
                .withTty(30, 100), out, null);
        waitForOutput(out, "30 100");
        s.resize(40, 120);
        s.writeStdin("hello\r".getBytes(StandardCharsets.UTF_8));
        waitForOutput(out, "40 120");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("line=hello");
        s.writeStdin(new byte[] {3}); // ^C through the line discipline
        ExitStatus status = s.waitFor(Duration.ofSeconds(30));
        assertThat(status.signal()).isEqualTo(2);
    }

    @Test
    void aLostConnectionEndsTheSessionWithAClearError() throws Exception {
        ExecSession s = connection.start(ExecSpec.of(List.of("sleep", "60")), null, null);
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                s.waitFor(Duration.ofSeconds(60));
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        Thread.sleep(200);
        agents.close(); // the agent process dies under the session
        Throwable e = failure.get(30, TimeUnit.SECONDS);
        assertThat(e).isNotNull().hasMessageContaining("closed the connection");
    }

    @Test
    void detachedCommandsOutliveTheirConnection() {
        DetachedProcess p = connection.startDetached(sh("echo started; echo warn >&2; sleep 0.3; echo finished"));
        connection.close();
        connection = agents.open();
        LogChunk out = waitForLog(p.session(), "started\nfinished\n");
        assertThat(out.running()).isFalse();
        assertThat(new String(connection.logs(p.session(), LogStream.STDERR, 0, 1 << 20).content(),
                StandardCharsets.UTF_8)).isEqualTo("warn\n");
        LogChunk tail = connection.logs(p.session(), LogStream.STDOUT, 8, 4);
        assertThat(new String(tail.content(), StandardCharsets.UTF_8)).isEqualTo("fini");
        assertThat(tail.nextOffset()).isEqualTo(12);
        DetachedInfo info = connection.list().stream().filter(i -> i.session() == p.session()).findFirst().orElseThrow();
        assertThat(info.command()).containsExactly("sh", "-c", "echo started; echo warn >&2; sleep 0.3; echo finished");
        assertThat(info.exitCode()).isZero();
        assertThat(info.startedAt()).isNotNull();
        assertThat(info.endedAt()).isNotNull();

        DetachedProcess sleeper = connection.startDetached(ExecSpec.of(List.of("sleep", "60")));
        connection.kill(sleeper.session(), "TERM");
        assertThatThrownBy(() -> connection.kill(999_999, "TERM")).hasMessageContaining("999999");
    }

    private LogChunk waitForLog(long session, String expected) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            LogChunk chunk = connection.logs(session, LogStream.STDOUT, 0, 1 << 20);
            if (new String(chunk.content(), StandardCharsets.UTF_8).equals(expected) && !chunk.running()) {
                return chunk;
            }
            assertThat(Instant.now()).isBefore(deadline);
            sleep(50);
        }
    }

    private static void waitForOutput(ByteArrayOutputStream out, String text) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
            assertThat(Instant.now()).as("output so far: " + out).isBefore(deadline);
            sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
