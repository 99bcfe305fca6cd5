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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.agent.RawFrames.obj;
import static org.assertj.core.api.Assertions.assertThat;

/** Version-2 exec over raw frames against the built agent ({@code --stdio}): pipes, stdin, signals, users. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentExecTest {
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
    void helloNamesProtocolTwoAndItsFeatures() {
        JsonNode r = agent.call("type", "hello");
        assertThat(r.path("exit_code").asInt()).isZero();
        assertThat(r.path("protocol").asInt()).isEqualTo(2);
        assertThat(r.path("agent").asText()).isNotBlank();
        assertThat(r.path("features").toString()).contains("\"exec\"", "\"pty\"", "\"detach\"", "\"copy\"");
    }

    @Test
    void stdoutAndStderrStreamApartThenTheExitEvent() {
        Outcome o = agent.run("command", List.of("sh", "-c", "echo out; echo err >&2; printf more; exit 7"));
        assertThat(o.out()).isEqualTo("out\nmore");
        assertThat(o.err()).isEqualTo("err\n");
        assertThat(o.exitCode()).isEqualTo(7);
        assertThat(o.exit().has("signal")).isFalse();
        assertThat(o.exit().has("timed_out")).isFalse();
        // nothing of the session comes after its exit event
        assertThat(agent.call("type", "ping").path("stdout").asText()).isEqualTo("pong");
    }

    @Test
    void sessionNumbersGrow() {
        long first = agent.exec("command", List.of("true"));
        agent.collect(first);
        long second = agent.exec("command", List.of("true"));
        agent.collect(second);
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void commandsThatCannotStartAreErrorResponses() {
        JsonNode missing = agent.call("type", "exec", "command", List.of("no-such-program-here"));
        assertThat(missing.path("exit_code").asInt()).isEqualTo(127);
        assertThat(missing.path("error").asText()).isEqualTo("cannot run no-such-program-here: No such file or directory");
        assertThat(missing.has("session")).isFalse();

        JsonNode badDir = agent.call("type", "exec", "command", List.of("true"), "cwd", tmp.resolve("nope").toString());
        assertThat(badDir.path("exit_code").asInt()).isEqualTo(126);
        assertThat(badDir.path("error").asText()).contains("cannot change to directory").contains("No such file");

        JsonNode notExecutable = agent.call("type", "exec", "command", List.of("/etc/passwd"));
        assertThat(notExecutable.path("exit_code").asInt()).isEqualTo(126);
        assertThat(notExecutable.path("error").asText()).contains("Permission denied");

        assertThat(agent.call("type", "exec", "command", List.of()).path("error").asText()).contains("command is empty");
        assertThat(agent.call("type", "exec").path("error").asText()).contains("command is required");
    }

    @Test
    void environmentHomeAndWorkingDirectory() {
        Outcome defaults = agent.run("command", List.of("sh", "-c",
                "pwd; echo $HOME; echo ${USER-unset}; echo ${TERM-unset}; echo $FROM_THE_AGENT"));
        assertThat(defaults.out()).isEqualTo("/\n/root\nunset\nunset\ninherited\n");

        Outcome given = agent.run("command", List.of("sh", "-c", "pwd; echo $GREETING; echo $HOME; echo $FROM_THE_AGENT"),
                "cwd", tmp.toString(), "env", Map.of("GREETING", "hello there", "HOME", "/elsewhere",
                        "FROM_THE_AGENT", "overridden"));
        assertThat(given.out()).isEqualTo(tmp + "\nhello there\n/elsewhere\noverridden\n");
    }

    @Test
    void numericUserAndGroupAreUsedAsGiven() {
        Outcome o = agent.run("command", List.of("sh", "-c", "id -u; id -g; id -G; echo $HOME $USER $LOGNAME"),
                "user", "4321:8765");
        assertThat(o.out()).isEqualTo("4321\n8765\n8765\n/root 4321 4321\n");
    }

    @Test
    void namedUserFromPasswdWithItsGroups() throws Exception {
        Process p = new ProcessBuilder("id", "nobody").redirectErrorStream(true).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        Outcome o = agent.run("command", List.of("sh", "-c", "id; echo $USER"), "user", "nobody");
        assertThat(o.out()).isEqualTo(expected + "nobody\n");

        Outcome withGroup = agent.run("command", List.of("sh", "-c", "id -u; id -g"), "user", "nobody:0");
        assertThat(withGroup.out()).isEqualTo("65534\n0\n");

        JsonNode unknown = agent.call("type", "exec", "command", List.of("true"), "user", "no-such-user");
        assertThat(unknown.path("error").asText()).isEqualTo("unknown user no-such-user");
        assertThat(unknown.has("session")).isFalse();
        JsonNode unknownGroup = agent.call("type", "exec", "command", List.of("true"), "user", "nobody:no-such-group");
        assertThat(unknownGroup.path("error").asText()).isEqualTo("unknown group no-such-group");
    }

    @Test
    void stdinFramesThenStdinClose() {
        long s = agent.exec("command", List.of("sh", "-c", "cat; echo end"), "stdin", true);
        agent.sendData(RawFrames.STDIN, s, 0, "one ".getBytes(StandardCharsets.UTF_8));
        agent.sendData(RawFrames.STDIN, s, 4, "two".getBytes(StandardCharsets.UTF_8));
        assertThat(agent.call("type", "stdin_close", "session", s).path("exit_code").asInt()).isZero();
        Outcome o = agent.collect(s);
        assertThat(o.out()).isEqualTo("one twoend\n");
    }

    @Test
    void manyMegabytesOfStdinArriveWhole() throws Exception {
        long s = agent.exec("command", List.of("sha256sum"), "stdin", true);
        byte[] chunk = new byte[256 << 10];
        new java.util.Random(3).nextBytes(chunk);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 40; i++) {
            agent.sendData(RawFrames.STDIN, s, (long) i * chunk.length, chunk);
            sha.update(chunk);
        }
        agent.call("type", "stdin_close", "session", s);
        assertThat(agent.collect(s).out()).startsWith(java.util.HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void withoutStdinTheProcessReadsDevNull() {
        assertThat(agent.run("command", List.of("sh", "-c", "cat; echo done")).out()).isEqualTo("done\n");
    }

    @Test
    void signalsByNameAndNumberReachTheProcessGroup() {
        long s = agent.exec("command", List.of("sh", "-c", "sleep 30 & sleep 30; echo not reached"));
        assertThat(agent.call("type", "signal", "session", s, "signal", "INT").path("exit_code").asInt()).isZero();
        Outcome o = agent.collect(s);
        assertThat(o.exitCode()).isEqualTo(130);
        assertThat(o.exit().path("signal").asInt()).isEqualTo(2);

        s = agent.exec("command", List.of("sleep", "30"));
        assertThat(agent.call("type", "signal", "session", s, "signal", "SIGTERM").path("exit_code").asInt()).isZero();
        assertThat(agent.collect(s).exitCode()).isEqualTo(143);

        s = agent.exec("command", List.of("sleep", "30"));
        assertThat(agent.call("type", "signal", "session", s, "signal", "BOGUS").path("error").asText())
                .contains("signal must be a signal name");
        assertThat(agent.call("type", "signal", "session", s, "signal", 99).path("error").asText())
                .contains("from 1 to 64");
        assertThat(agent.call("type", "signal", "session", s + 1, "signal", 9).path("error").asText())
                .contains("not attached to this connection");
        assertThat(agent.call("type", "signal", "session", s, "signal", 9).path("exit_code").asInt()).isZero();
        Outcome killed = agent.collect(s);
        assertThat(killed.exitCode()).isEqualTo(137);
        assertThat(killed.exit().path("signal").asInt()).isEqualTo(9);
    }

    @Test
    void timeoutKillsTheWholeProcessGroup() {
        Instant start = Instant.now();
        long s = agent.exec("command", List.of("sh", "-c", "sleep 30 & echo $!; wait"), "timeout_ms", 500);
        Outcome o = agent.collect(s);
        assertThat(o.exit().path("timed_out").asBoolean()).isTrue();
        assertThat(o.exitCode()).isEqualTo(137);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
        long background = Long.parseLong(o.out().trim());
        assertThat(ProcessHandle.of(background).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void otherRequestsAreBusyWhileASessionIsAttachedButPingIsAnswered() {
        long s = agent.exec("command", List.of("sleep", "30"));
        assertThat(agent.call("type", "ping").path("stdout").asText()).isEqualTo("pong");
        assertThat(agent.call("type", "exec", "command", List.of("true")).path("error").asText())
                .isEqualTo("busy: session " + s + " is running on this connection");
        assertThat(agent.call("type", "read_file", "path", "/etc/hostname").path("error").asText()).startsWith("busy:");
        agent.call("type", "signal", "session", s, "signal", "KILL");
        agent.collect(s);
        assertThat(agent.call("type", "exec_list").path("exit_code").asInt()).isZero();
    }

    @Test
    void backgroundChildrenHoldingTheStreamsDelayTheExitOnlyBriefly() {
        Instant start = Instant.now();
        Outcome o = agent.run("command", List.of("sh", "-c", "(sleep 20; echo late) & echo early"));
        assertThat(o.out()).isEqualTo("early\n");
        assertThat(o.exitCode()).isZero();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    /** The host reads slowly: the agent stops reading the pipe instead of buffering, and every byte arrives. */
    @Test
    void backPressureLosesNothingAndBuffersLittle() throws Exception {
        Path copy = tmp.resolve("sent.bin");
        long s = agent.exec("command", List.of("sh", "-c", "head -c 100000000 /dev/urandom | tee " + copy));
        Thread.sleep(1500); // the host reads nothing: the command blocks on a full pipe
        long rssWhileStalled = agent.rssKb();
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        long frames = 0;
        for (;;) {
            Frame f = agent.next();
            if (f instanceof Data d) {
                assertThat(d.kind()).isEqualTo(RawFrames.STDOUT);
                assertThat(d.offset()).isEqualTo(bytes);
                received.update(d.bytes());
                bytes += d.bytes().length;
                if (++frames % 40 == 0) {
                    Thread.sleep(2); // slow reader all along
                }
            } else {
                assertThat(((RawFrames.Json) f).node().path("exit_code").asInt()).isZero();
                break;
            }
        }
        assertThat(bytes).isEqualTo(100_000_000L);
        assertThat(received.digest()).isEqualTo(sha256(copy));
        assertThat(rssWhileStalled).as("agent RSS (kB) while the host did not read").isLessThan(16_000);
        assertThat(agent.peakRssKb()).as("agent peak RSS (kB)").isLessThan(24_000);
    }

    @Test
    void fieldsOfTheWrongTypeOrRangeAreNamedInTheError() {
        assertThat(error("command", "ls")).isEqualTo("exec: command must be an array of strings");
        assertThat(error("command", List.of("ls", 3))).contains("command must be an array of strings");
        assertThat(error("command", List.of("true"), "timeout_ms", 1e300)).contains("timeout_ms must be an integer");
        assertThat(error("command", List.of("true"), "timeout_ms", -1)).contains("timeout_ms must be an integer");
        assertThat(error("command", List.of("true"), "timeout_ms", 1.5)).contains("timeout_ms must be an integer");
        assertThat(error("command", List.of("true"), "rows", 0)).contains("rows must be an integer from 1 to 65535");
        assertThat(error("command", List.of("true"), "tty", "yes")).contains("tty must be true or false");
        assertThat(error("command", List.of("true"), "env", Map.of("A", 1))).contains("env must map names");
        assertThat(error("command", List.of("true"), "env", List.of("A=1"))).contains("env must be an object");
        assertThat(error("command", List.of("true"), "user", 5)).contains("user must be a string");
        assertThat(error("command", List.of("true"), "cwd", "/tmp\u0000x")).contains("cwd must not contain NUL");
        assertThat(error("command", List.of("true"), "stdin", 1)).contains("stdin must be true or false");
        // the version-1 requests check their fields too
        JsonNode run = agent.call("type", "run", "command", List.of("true"), "timeout_ms", 1e300);
        assertThat(run.path("error").asText()).contains("timeout_ms must be an integer");
        JsonNode write = agent.call("type", "write_file", "path", tmp.resolve("f").toString(), "content_base64", "",
                "mode", 1e20);
        assertThat(write.path("error").asText()).contains("mode must be an integer from 0 to 4095");
    }

    private String error(Object... fields) {
        Map<String, Object> request = obj(fields);
        request.put("type", "exec");
        JsonNode r = agent.call(request);
        assertThat(r.has("session")).isFalse();
        return r.path("error").asText();
    }

    static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return sha.digest();
    }
}
