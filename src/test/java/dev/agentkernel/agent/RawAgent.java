package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.agent.RawFrames.Data;
import dev.agentkernel.agent.RawFrames.Frame;
import dev.agentkernel.agent.RawFrames.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The built guest agent run on the host with {@code --stdio} and its state directory in a test directory,
 * spoken to in raw frames. Closing it kills it and everything it started.
 */
final class RawAgent implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final Process process;
    private final InputStream in;
    private final OutputStream out;
    /** Frames read while waiting for a response (a session's output, events), handed out by next() first. */
    private final java.util.ArrayDeque<Frame> pending = new java.util.ArrayDeque<>();

    private RawAgent(Process process) {
        this.process = process;
        this.in = process.getInputStream();
        this.out = process.getOutputStream();
    }

    /** The packaged agent written to dir/agent (skips when this build has none). */
    static Path binary(Path dir) throws IOException {
        assumeTrue(PackagedAgent.available(), "this build has no guest agent (no C compiler)");
        Path binary = dir.resolve("agent");
        if (!Files.exists(binary)) {
            Files.write(binary, PackagedAgent.bytes());
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return binary;
    }

    /** Starts the agent of dir (see {@link #binary}) with the state directory dir/state. */
    static RawAgent start(Path dir) throws IOException {
        return start(dir, java.util.List.of(binary(dir).toString(), "--stdio"));
    }

    /** The agent of dir with its address space limited to {@code kib} KiB (sh's ulimit -v), as in a small guest. */
    static RawAgent startLimited(Path dir, long kib) throws IOException {
        return start(dir, java.util.List.of("sh", "-c", "ulimit -v " + kib + " && exec \"$0\" --stdio",
                binary(dir).toString()));
    }

    private static RawAgent start(Path dir, java.util.List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()));
        pb.environment().put("AGENTKERNEL_AGENT_STATE", dir.resolve("state").toString());
        pb.environment().put("FROM_THE_AGENT", "inherited");
        pb.environment().keySet().removeAll(java.util.List.of("TERM", "USER", "LOGNAME"));
        return new RawAgent(pb.start());
    }

    Process process() {
        return process;
    }

    static String newId() {
        return "t" + IDS.incrementAndGet();
    }

    void send(Map<String, Object> message) {
        sendPayload(RawFrames.json(message));
    }

    void sendPayload(byte[] payload) {
        try {
            RawFrames.write(out, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes as they are, framed or not. */
    void sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendData(int kind, long stream, long offset, byte[] bytes) {
        sendPayload(RawFrames.data(kind, stream, offset, bytes));
    }

    /** The host hangs up: the agent's stdin ends. */
    void hangUp() throws IOException {
        out.close();
    }

    Frame next() {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        return read();
    }

    private Frame read() {
        try {
            return RawFrames.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode nextJson() {
        Frame f = next();
        assertThat(f).as("expected a JSON frame").isInstanceOf(Json.class);
        return ((Json) f).node();
    }

    /**
     * Sends a request (an id is added) and returns its response, which must be the next response: frames
     * without an id (a session's output and events) that come first are kept for {@link #next()}.
     */
    JsonNode call(Map<String, Object> request) {
        String id = newId();
        request.put("id", id);
        send(request);
        for (;;) {
            Frame f = read();
            if (f instanceof Json j && j.node().has("id")) {
                assertThat(j.node().path("id").asText()).as("the response to %s", request).isEqualTo(id);
                return j.node();
            }
            pending.add(f);
        }
    }

    JsonNode call(Object... keysAndValues) {
        return call(RawFrames.obj(keysAndValues));
    }

    /** Starts an attached exec; returns its session number. */
    long exec(Object... keysAndValues) {
        Map<String, Object> request = RawFrames.obj(keysAndValues);
        request.put("type", "exec");
        JsonNode r = call(request);
        assertThat(r.path("exit_code").asInt(-1)).as("exec response %s", r).isZero();
        assertThat(r.path("session").asLong()).isPositive();
        assertThat(r.path("pid").asLong()).isPositive();
        return r.path("session").asLong();
    }

    /** What a session produced, up to its exit event. */
    record Outcome(byte[] stdout, byte[] stderr, JsonNode exit) {
        String out() {
            return new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, java.nio.charset.StandardCharsets.UTF_8);
        }

        int exitCode() {
            return exit.path("exit_code").asInt(-1);
        }
    }

    /** Reads the session's data frames (offsets must be contiguous) up to its exit event. */
    Outcome collect(long session) {
        return collect(session, 0);
    }

    /** As {@link #collect(long)}, for a session whose first stdoutOffset bytes of stdout were read already. */
    Outcome collect(long session, long stdoutOffset) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        for (;;) {
            Frame f = next();
            if (f instanceof Data d) {
                assertThat(d.stream()).as("data frame stream").isEqualTo(session);
                ByteArrayOutputStream sink = d.kind() == RawFrames.STDOUT ? stdout : stderr;
                assertThat(d.kind()).isIn(RawFrames.STDOUT, RawFrames.STDERR);
                long start = d.kind() == RawFrames.STDOUT ? stdoutOffset : 0;
                assertThat(d.offset()).as("offset of %s", d).isEqualTo(start + sink.size());
                assertThat(d.bytes().length).isBetween(1, 1 << 20);
                sink.writeBytes(d.bytes());
            } else {
                JsonNode event = ((Json) f).node();
                assertThat(event.path("event").asText()).as("event %s", event).isEqualTo("exit");
                assertThat(event.path("session").asLong()).isEqualTo(session);
                assertThat(event.has("id")).isFalse();
                return new Outcome(stdout.toByteArray(), stderr.toByteArray(), event);
            }
        }
    }

    Outcome run(Object... execFields) {
        return collect(exec(execFields));
    }

    /** Peak resident memory of the agent process, in kB (VmHWM). */
    long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmHWM for the agent");
    }

    long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for the agent");
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
