package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.AgentkernelException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The host's client against a hostile guest: every frame the test peer sends that breaks the protocol ends
 * the connection with one clear error naming what was wrong, nothing hangs, and nothing large is allocated
 * ahead of the bytes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AgentConnectionHostileTest {
    @TempDir
    Path tmp;

    private HostilePeer peer;

    @BeforeEach
    void open() throws IOException {
        peer = HostilePeer.open(tmp);
    }

    @AfterEach
    void close() throws IOException {
        peer.close();
    }

    /** Runs {@code call} while the peer answers the request with {@code answer}; returns the error. */
    private Throwable failureOf(Runnable call, PeerScript answer) throws Exception {
        return failureOf("the call", call, answer);
    }

    private Throwable failureOf(String what, Runnable call, PeerScript answer) throws Exception {
        CompletableFuture<Throwable> result = CompletableFuture.supplyAsync(() -> {
            try {
                call.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        answer.run();
        Throwable t;
        try {
            t = result.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " did not end", e);
        }
        assertThat(t).as(what + " should fail").isNotNull().isInstanceOf(AgentkernelException.class);
        return t;
    }

    @FunctionalInterface
    interface PeerScript {
        void run() throws Exception;
    }

    private static void ping(AgentConnection c) {
        new AgentClient(c).ping(Duration.ofSeconds(10));
    }

    /** An answer to the next request, made from its id. */
    private void answerWith(String fieldsAfterId) throws IOException {
        peer.answer(fieldsAfterId);
    }

    // ---- hello ----

    @Test
    void helloDiscardsWhatAnEarlierHostLeftThenSyncs() throws Exception {
        CompletableFuture<AgentConnection> opening = CompletableFuture.supplyAsync(() ->
                AgentConnection.open(peer.clientChannel(), Duration.ofSeconds(5), "peer", null));
        JsonNode hello = peer.readJson();
        assertThat(hello.get("type").asText()).isEqualTo("hello");
        assertThat(hello.get("id").asText()).matches("hello-[0-9a-f]{16}");
        peer.sendData(1, 7, 0, "stale output".getBytes(StandardCharsets.UTF_8));
        peer.sendFrame("not json at all".getBytes(StandardCharsets.UTF_8));
        peer.sendJson("{\"event\":\"exit\",\"session\":7,\"exit_code\":0}");
        peer.sendJson("{\"id\":\"1\",\"exit_code\":0,\"stdout\":\"pong\"}");
        peer.sendJson("{\"id\":\"" + hello.get("id").asText() + "\",\"exit_code\":0,\"protocol\":2,\"agent\":\"t\","
                + "\"features\":[\"exec\"]}");
        AgentConnection c = opening.get(10, TimeUnit.SECONDS);
        assertThat(c.hello()).isEqualTo(new AgentHello(2, "t", List.of("exec")));
        CompletableFuture.runAsync(() -> ping(c));
        peer.answer("\"exit_code\":0,\"stdout\":\"pong\"");
        c.close();
    }

    @Test
    void helloFindsItsAnswerInAStreamAHostKilledMidFrameLeftOutOfStep() throws Exception {
        CompletableFuture<AgentConnection> opening = CompletableFuture.supplyAsync(() -> AgentConnection.open(
                peer.clientChannel(), Duration.ofSeconds(10), "peer", null));
        JsonNode first = peer.readJson();
        // the rest of a file data frame whose head went to the killed host: text, read as a length it is huge
        peer.sendRaw("copied-slowly\ncopied-slowly\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
        peer.sendJson("{\"id\":\"" + first.get("id").asText() + "\",\"exit_code\":0,\"protocol\":2,\"agent\":\"t\","
                + "\"features\":[]}");
        JsonNode second = peer.readJson();
        assertThat(second.get("type").asText()).isEqualTo("hello");
        assertThat(second.get("id").asText()).isNotEqualTo(first.get("id").asText());
        peer.sendJson("{\"id\":\"" + second.get("id").asText() + "\",\"exit_code\":0,\"protocol\":2,\"agent\":\"t\","
                + "\"features\":[\"exec\"]}");
        AgentConnection c = opening.get(10, TimeUnit.SECONDS);
        assertThat(c.hello()).isEqualTo(new AgentHello(2, "t", List.of("exec")));
        CompletableFuture.runAsync(() -> ping(c));
        peer.answer("\"exit_code\":0,\"stdout\":\"pong\"");
        c.close();
    }

    @Test
    void helloGivesUpAfter64FramesWithoutItsAnswer() throws Exception {
        Throwable e = failureOf(() -> AgentConnection.open(peer.clientChannel(), Duration.ofSeconds(10), "peer", null),
                () -> {
                    peer.readJson();
                    for (int i = 0; i < 64; i++) {
                        peer.sendJson("{\"id\":\"other\",\"exit_code\":0}");
                    }
                });
        assertThat(e).hasMessageContaining("64 frames without answering hello");
    }

    @Test
    void aSilentAgentFailsHelloWithinItsBound() throws Exception {
        Instant start = Instant.now();
        Throwable e = failureOf(() -> AgentConnection.open(peer.clientChannel(), Duration.ofMillis(500), "peer", null),
                peer::readJson);
        assertThat(e).hasMessageContaining("did not answer hello within 500 ms");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anAgentOfVersion1IsToldApartAndNotAskedForExec() throws Exception {
        CompletableFuture<AgentConnection> opening = CompletableFuture.supplyAsync(() ->
                AgentConnection.open(peer.clientChannel(), Duration.ofSeconds(5), "peer", null));
        peer.answer("\"error\":\"unknown request type 'hello'\"");
        AgentConnection c = opening.get(10, TimeUnit.SECONDS);
        assertThat(c.hello().protocol()).isEqualTo(1);
        assertThatThrownBy(() -> c.start(ExecSpec.of(List.of("true")), null, null))
                .hasMessageContaining("protocol version 1");
    }

    // ---- malformed answers ----

    @Test
    void jsonNullIsNotAnAnswer() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> {
            peer.readJson();
            peer.sendFrame("null".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(e).isInstanceOf(AgentProtocolException.class)
                .hasMessageContaining("neither a JSON object nor a data frame")
                .hasMessageContaining("connection was closed");
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> ping(c)).hasMessageContaining("neither a JSON object");
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> answerWith("\"exit_code\":\"0\""));
        assertThat(e).hasMessageContaining("in its answer to ping, 'exit_code' is not an integer from 0 to 255")
                .hasMessageContaining("\"0\"");
    }

    @Test
    void aNullFieldIsNamed() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> answerWith("\"exit_code\":null"));
        assertThat(e).hasMessageContaining("'exit_code' is not an integer");
    }

    @Test
    void anAnswerWithNeitherExitCodeNorErrorIsRefused() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> answerWith("\"stdout\":\"pong\""));
        assertThat(e).hasMessageContaining("neither 'exit_code' nor 'error'");
    }

    @Test
    void outOfStepAndUnaskedAnswersAreRefused() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> {
            peer.readJson();
            peer.sendJson("{\"id\":\"99\",\"exit_code\":0}");
        });
        assertThat(e).hasMessageContaining("answered request '99' while request 1 (ping) was the next");

        HostilePeer second = HostilePeer.open(tmp);
        AgentConnection d = second.connect();
        second.sendJson("{\"id\":\"5\",\"exit_code\":0}");
        waitUntilClosed(d);
        assertThatThrownBy(() -> ping(d)).hasMessageContaining("answered request '5', which is not waiting");
        second.close();
    }

    @Test
    void badJsonOfEveryKindIsRefused() throws Exception {
        String deep = "[".repeat(100) + "]".repeat(100);
        String[] payloads = {
            "{\"id\":\"1\",\"exit_code\":0,\"x\":" + deep + "}",
            "{\"id\":\"1\",\"id\":\"2\",\"exit_code\":0}",
            "{\"id\":\"1\",\"exit_code\":0} trailing",
            "{\"id\":\"1\",\"exit_code\":0",
            "[1,2]",
        };
        for (String payload : payloads) {
            HostilePeer p = HostilePeer.open(tmp);
            AgentConnection c = p.connect();
            Throwable e = failureOf(() -> ping(c), () -> {
                p.readJson();
                p.sendFrame(payload.getBytes(StandardCharsets.UTF_8));
            });
            assertThat(e).as(payload).isInstanceOf(AgentProtocolException.class)
                    .hasMessageContaining("misbehaved");
            p.close();
        }
        HostilePeer p = HostilePeer.open(tmp);
        AgentConnection c = p.connect();
        Throwable e = failureOf(() -> ping(c), () -> {
            p.readJson();
            byte[] bad = "{\"id\":\"1\",\"exit_code\":0,\"stdout\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
            p.sendFrame(bad);
        });
        assertThat(e).hasMessageContaining("invalid JSON");
        p.close();
    }

    @Test
    void anErrorThatAnswersNoRequestEndsTheConnection() throws Exception {
        AgentConnection c = peer.connect();
        peer.sendJson("{\"id\":null,\"error\":\"malformed request: \\u001b[31mred\"}");
        waitUntilClosed(c);
        assertThatThrownBy(() -> ping(c)).hasMessageContaining("reported an error that answers no request")
                .hasMessageContaining("\\x1b[31mred").hasMessageNotContaining("\u001b");
    }

    @Test
    void unknownEventsAndEventsWithIdsAreRefused() throws Exception {
        AgentConnection c = peer.connect();
        peer.sendJson("{\"event\":\"teleport\"}");
        waitUntilClosed(c);
        assertThatThrownBy(() -> ping(c)).hasMessageContaining("unknown event 'teleport'");

        HostilePeer p = HostilePeer.open(tmp);
        AgentConnection d = p.connect();
        p.sendJson("{\"event\":\"exit\",\"id\":\"1\",\"session\":1,\"exit_code\":0}");
        waitUntilClosed(d);
        assertThatThrownBy(() -> ping(d)).hasMessageContaining("with an id");
        p.close();
    }

    @Test
    void invalidBase64IsNamed() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> new AgentClient(c).readFile("/x"),
                () -> answerWith("\"exit_code\":0,\"content_base64\":\"!!not base64!!\""));
        assertThat(e).hasMessageContaining("'content_base64' is not valid base64");
        assertThat(c.isOpen()).isFalse();

        HostilePeer p = HostilePeer.open(tmp);
        AgentConnection d = p.connect();
        Throwable f = failureOf(() -> new AgentClient(d).run(new AgentRequest.Run(List.of("x"))),
                () -> p.answer("\"exit_code\":0,\"stdout\":\"\",\"stdout_base64\":\"***\""));
        assertThat(f).hasMessageContaining("'stdout_base64' is not valid base64");
        p.close();
    }

    // ---- sizes and time ----

    @Test
    void aHugeAnnouncedFrameIsRefusedBeforeAnyOfItIsRead() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> {
            peer.readJson();
            peer.sendRaw(AgentChannel.header(100 << 20));
            peer.sendRaw("{\"id\":".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(e).hasMessageContaining("announced a frame of 104857600 bytes, more than the limit");
    }

    @Test
    void aDataFrameOverItsLimitIsRefused() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> ping(c), () -> {
            peer.readJson();
            peer.sendData(1, 1, 0, new byte[(1 << 20) + 1]);
        });
        assertThat(e).hasMessageContaining("data frame of 1048577 bytes, over the limit");
    }

    @Test
    void anAnnouncedLengthCostsNothingUntilItsBytesArrive() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] few = new byte[100];
        int[] served = {0};
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> GrowingPayload.read(16 << 20, (buffer, offset, length) -> {
            if (served[0] >= few.length) {
                return -1;
            }
            buffer[offset] = few[served[0]++];
            return 1;
        })).isInstanceOf(java.io.EOFException.class).hasMessageContaining("100 of 16777216 bytes");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(1 << 20);

        byte[] whole = GrowingPayload.read(300_000, (buffer, offset, length) -> {
            int n = Math.min(length, 1000);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 7);
            return n;
        });
        assertThat(whole).hasSize(300_000).containsOnly(7);
    }

    @Test
    void tricklingBytesArriveWithinTheDeadlineAndNotBeyondIt() throws Exception {
        AgentConnection c = peer.connect();
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> ping(c));
        JsonNode request = peer.readJson();
        byte[] answer = ("{\"id\":\"" + request.get("id").asText() + "\",\"exit_code\":0}").getBytes(StandardCharsets.UTF_8);
        trickle(AgentChannel.header(answer.length), 5);
        trickle(answer, 5);
        slow.get(10, TimeUnit.SECONDS);

        Throwable e = failureOf(() -> new AgentClient(c).ping(Duration.ofMillis(400)), () -> {
            JsonNode r = peer.readJson();
            byte[] a = ("{\"id\":\"" + r.get("id").asText() + "\",\"exit_code\":0}").getBytes(StandardCharsets.UTF_8);
            peer.sendRaw(AgentChannel.header(a.length));
            try {
                trickle(a, 100);
            } catch (IOException closed) {
                // the client gave up and closed the connection: expected
            }
        });
        assertThat(e).hasMessageContaining("did not answer the ping request within 0 s")
                .hasMessageContaining("connection was closed");
        assertThat(c.isOpen()).isFalse();
    }

    private void trickle(byte[] bytes, long pauseMs) throws IOException, InterruptedException {
        for (byte b : bytes) {
            peer.sendRaw(new byte[] {b});
            Thread.sleep(pauseMs);
        }
    }

    @Test
    void silenceIsATimeoutAndTheConnectionIsClosed() throws Exception {
        AgentConnection c = peer.connect();
        Instant start = Instant.now();
        Throwable e = failureOf(() -> new AgentClient(c).ping(Duration.ofMillis(300)), peer::readJson);
        assertThat(e).hasMessageContaining("did not answer the ping request");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> ping(c)).hasMessageContaining("did not answer the ping request");
    }

    // ---- sessions ----

    private ExecSession started(AgentConnection c, ExecSpec spec, ByteArrayOutputStream out) throws Exception {
        CompletableFuture<ExecSession> s = CompletableFuture.supplyAsync(() -> c.start(spec, out, null));
        JsonNode request = peer.answer("\"exit_code\":0,\"session\":7,\"pid\":1234");
        assertThat(request.get("type").asText()).isEqualTo("exec");
        return s.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anExecAnswerWithABadSessionIsNamed() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> c.start(ExecSpec.of(List.of("true")), null, null),
                () -> answerWith("\"exit_code\":0,\"session\":\"seven\",\"pid\":1"));
        assertThat(e).hasMessageContaining("in its answer to exec, 'session' is not an integer from 1 to 4294967295");
    }

    @Test
    void outputAndTheExitEventReachTheSession() throws Exception {
        AgentConnection c = peer.connect();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecSession s = started(c, ExecSpec.of(List.of("x")), out);
        peer.sendData(1, 7, 0, "hel".getBytes(StandardCharsets.UTF_8));
        peer.sendData(1, 7, 3, "lo".getBytes(StandardCharsets.UTF_8));
        peer.sendJson("{\"event\":\"exit\",\"session\":7,\"exit_code\":130,\"signal\":2}");
        assertThat(s.waitFor(Duration.ofSeconds(5))).isEqualTo(new ExitStatus(130, 2, false, false));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(s.id()).isEqualTo(7);
        assertThat(s.pid()).isEqualTo(1234);
    }

    @Test
    void sessionFramesThatDoNotFitAreRefused() throws Exception {
        record Case(String name, PeerScript script, String message) {
        }
        List<Case> cases = List.of(
                new Case("another session's output", () -> peer.sendData(1, 8, 0, new byte[1]),
                        "output for session 8, which is not running"),
                new Case("stdin from the guest", () -> peer.sendData(3, 7, 0, new byte[1]), "data frame of kind 3"),
                new Case("a gap in the offsets", () -> {
                    peer.sendData(1, 7, 0, new byte[3]);
                    peer.sendData(1, 7, 5, new byte[1]);
                }, "at offset 5 where 3 was next"),
                new Case("an exit for another session", () -> peer.sendJson("{\"event\":\"exit\",\"session\":9,"
                        + "\"exit_code\":0}"), "an exit event for session 9"),
                new Case("an exit code out of range", () -> peer.sendJson("{\"event\":\"exit\",\"session\":7,"
                        + "\"exit_code\":300}"), "'exit_code' is not an integer from 0 to 255"),
                new Case("output after the exit", () -> {
                    peer.sendJson("{\"event\":\"exit\",\"session\":7,\"exit_code\":0}");
                    peer.sendData(1, 7, 0, new byte[1]);
                }, "output for session 7, which is not running"));
        for (Case k : cases) {
            HostilePeer p = HostilePeer.open(tmp);
            peer = p;
            AgentConnection c = p.connect();
            ExecSession s = started(c, ExecSpec.of(List.of("x")), new ByteArrayOutputStream());
            k.script().run();
            waitUntilClosed(c);
            assertThatThrownBy(() -> ping(c)).as(k.name()).hasMessageContaining(k.message());
            if (!k.name().equals("output after the exit")) {
                assertThatThrownBy(() -> s.waitFor(Duration.ofSeconds(5))).as(k.name())
                        .hasMessageContaining(k.message());
            }
            p.close();
        }
    }

    @Test
    void stderrOnATerminalSessionIsRefused() throws Exception {
        AgentConnection c = peer.connect();
        ExecSession s = started(c, ExecSpec.of(List.of("x")).withTty(24, 80), new ByteArrayOutputStream());
        peer.sendData(2, 7, 0, new byte[1]);
        assertThatThrownBy(() -> s.waitFor(Duration.ofSeconds(5))).hasMessageContaining("which has a terminal");
    }

    @Test
    void aLostConnectionEndsTheSession() throws Exception {
        AgentConnection c = peer.connect();
        ExecSession s = started(c, ExecSpec.of(List.of("x")), new ByteArrayOutputStream());
        peer.closeGuestSide();
        assertThatThrownBy(() -> s.waitFor(Duration.ofSeconds(5))).hasMessageContaining("closed the connection");
    }

    @Test
    void aQuietGuestIsPingedAndOneThatDoesNotAnswerIsGone() throws Exception {
        AgentConnection c = peer.connect(new Liveness(Duration.ofMillis(200), Duration.ofMillis(800)));
        ExecSession s = started(c, ExecSpec.of(List.of("x")), new ByteArrayOutputStream());
        CompletableFuture<Throwable> waited = CompletableFuture.supplyAsync(() -> {
            try {
                s.waitFor(null);
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        JsonNode ping = peer.readJson();
        assertThat(ping.get("type").asText()).isEqualTo("ping");
        Throwable e = waited.get(10, TimeUnit.SECONDS);
        assertThat(e).hasMessageContaining("sent nothing for 0.8 s and did not answer a ping");
    }

    @Test
    void aQuietGuestThatAnswersPingsKeepsItsSession() throws Exception {
        AgentConnection c = peer.connect(new Liveness(Duration.ofMillis(100), Duration.ofMillis(400)));
        ExecSession s = started(c, ExecSpec.of(List.of("x")), new ByteArrayOutputStream());
        CompletableFuture<ExitStatus> waited = CompletableFuture.supplyAsync(() -> s.waitFor(null));
        Instant until = Instant.now().plusMillis(1500);
        int pings = 0;
        while (Instant.now().isBefore(until)) {
            JsonNode ping = peer.answer("\"exit_code\":0,\"stdout\":\"pong\"");
            assertThat(ping.get("type").asText()).isEqualTo("ping");
            pings++;
        }
        peer.sendJson("{\"event\":\"exit\",\"session\":7,\"exit_code\":0}");
        assertThat(waited.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(pings).isGreaterThan(3);
    }

    // ---- copies and detached commands ----

    private static final String ROOT_DIR = "{\"event\":\"entry\",\"copy\":1,\"path\":\".\",\"kind\":\"dir\",\"mode\":493,"
            + "\"uid\":0,\"gid\":0,\"mtime\":1,\"mtime_nsec\":0}";

    private static String fileEntry(String path, long size) {
        return "{\"event\":\"entry\",\"copy\":1,\"path\":\"" + path + "\",\"kind\":\"file\",\"mode\":420,\"uid\":0,"
                + "\"gid\":0,\"mtime\":1,\"mtime_nsec\":0,\"size\":" + size + "}";
    }

    /** A sink that keeps what it was handed. */
    private static final class Recording implements CopySink {
        final List<CopyEntry> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        public void entry(CopyEntry entry) {
            entries.add(entry);
        }

        @Override
        public void data(long offset, java.nio.ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            data.writeBytes(b);
        }

        @Override
        public void end(CopyOutResult result) {
        }
    }

    @Test
    void aWellFormedCopyReachesTheSink() throws Exception {
        AgentConnection c = peer.connect();
        Recording sink = new Recording();
        CompletableFuture<CopyOutResult> copy = CompletableFuture.supplyAsync(() -> c.copyOut("/d", kind -> sink));
        peer.answer("\"exit_code\":0,\"copy\":1,\"kind\":\"dir\"");
        peer.sendJson(ROOT_DIR);
        peer.sendJson(fileEntry("a", 10));
        peer.sendData(4, 1, 2, "xy".getBytes(StandardCharsets.UTF_8));
        peer.sendJson("{\"event\":\"copy_end\",\"copy\":1,\"entries\":2,\"bytes\":2}");
        CopyOutResult result = copy.get(10, TimeUnit.SECONDS);
        assertThat(result.entries()).isEqualTo(2);
        assertThat(sink.entries).extracting(CopyEntry::path).containsExactly(".", "a");
        assertThat(sink.data.toString(StandardCharsets.UTF_8)).isEqualTo("xy");
    }

    @Test
    void copyEventsThatDoNotFitAreRefused() throws Exception {
        record Case(String name, List<String> json, byte[] fileData, String message) {
        }
        List<Case> cases = List.of(
                new Case("an entry before the root", List.of(fileEntry("a", 1)), null, "not the root '.'"),
                new Case("a path out of the root", List.of(ROOT_DIR, fileEntry("../etc/passwd", 1)), null,
                        "'path' has an empty, '.' or '..' name"),
                new Case("an absolute path", List.of(ROOT_DIR, fileEntry("/etc/passwd", 1)), null, "is absolute"),
                new Case("a mode that is a string", List.of(ROOT_DIR.replace("493", "\"0755\"")), null,
                        "'mode' is not an integer from 0 to 4095"),
                new Case("an unknown kind", List.of(ROOT_DIR, fileEntry("a", 1).replace("\"file\"", "\"door\"")), null,
                        "'kind' is not file, dir"),
                new Case("a file without its size", List.of(ROOT_DIR, fileEntry("a", 1).replace(",\"size\":1", "")),
                        null, "'size' is missing"),
                new Case("data beyond the size", List.of(ROOT_DIR, fileEntry("a", 1)), new byte[2],
                        "beyond its size of 1"),
                new Case("data after a directory", List.of(ROOT_DIR), new byte[1], "not a file"),
                new Case("another copy's entry", List.of(ROOT_DIR.replace("\"copy\":1", "\"copy\":2")), null,
                        "for copy 2, which is not running"),
                new Case("counts that do not add up", List.of(ROOT_DIR,
                        "{\"event\":\"copy_end\",\"copy\":1,\"entries\":5,\"bytes\":0}"), null,
                        "5 entries and 0 bytes were sent, but 1 entries"));
        for (Case k : cases) {
            HostilePeer p = HostilePeer.open(tmp);
            AgentConnection c = p.connect();
            Throwable e = failureOf(k.name(), () -> c.copyOut("/d", kind -> new Recording()), () -> {
                p.answer("\"exit_code\":0,\"copy\":1,\"kind\":\"dir\"");
                for (String json : k.json()) {
                    p.sendJson(json);
                }
                if (k.fileData() != null) {
                    p.sendData(4, 1, 0, k.fileData());
                }
            });
            assertThat(e).as(k.name()).hasMessageContaining(k.message());
            p.close();
        }
    }

    @Test
    void aCopysOwnErrorIsReported() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> c.copyOut("/d", kind -> new Recording()), () -> {
            peer.answer("\"exit_code\":0,\"copy\":1,\"kind\":\"dir\"");
            peer.sendJson(ROOT_DIR);
            peer.sendJson("{\"event\":\"copy_end\",\"copy\":1,\"entries\":1,\"bytes\":0,\"error\":\"disk on fire\"}");
        });
        assertThat(e).hasMessageContaining("could not copy all of '/d': disk on fire");
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void detachedAnswersAreChecked() throws Exception {
        AgentConnection c = peer.connect();
        Throwable e = failureOf(() -> c.logs(3, LogStream.STDOUT, 0, 100),
                () -> answerWith("\"exit_code\":0,\"content_base64\":\"%%%\",\"offset\":3,\"eof\":true,\"running\":false"));
        assertThat(e).hasMessageContaining("'content_base64' is not valid base64");

        HostilePeer p = HostilePeer.open(tmp);
        AgentConnection d = p.connect();
        Throwable f = failureOf(() -> d.logs(3, LogStream.STDOUT, 10, 100),
                () -> p.answer("\"exit_code\":0,\"content_base64\":\"YWJj\",\"offset\":99,\"eof\":true,\"running\":false"));
        assertThat(f).hasMessageContaining("does not follow from the request's offset 10 and the 3 bytes sent");
        p.close();

        HostilePeer q = HostilePeer.open(tmp);
        AgentConnection g = q.connect();
        Throwable h = failureOf(g::list, () -> q.answer("\"exit_code\":0,\"sessions\":[{\"session\":1,\"command\":[\"a\"],"
                + "\"pid\":\"12\",\"running\":true}]"));
        assertThat(h).hasMessageContaining("in a session in its answer to exec_list, 'pid' is not an integer");
        q.close();
    }

    private static void waitUntilClosed(AgentConnection c) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (c.isOpen()) {
            assertThat(Instant.now()).isBefore(deadline);
            Thread.sleep(10);
        }
    }
}
