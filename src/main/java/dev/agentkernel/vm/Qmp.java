package dev.agentkernel.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A QEMU Machine Protocol client on a monitor's {@code qmp.sock}: one JSON object per line each way, the
 * greeting and {@code qmp_capabilities} first, then commands answered in order with events in between (skipped).
 * Every read has a deadline and every line is bounded, so a wedged monitor is an error, never a hang. QEMU takes
 * one QMP client at a time: callers hold the sandbox's lock while connected.
 */
public final class Qmp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINE = 1 << 20;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private final Path socket;

    private Qmp(Path socket, SocketChannel channel) throws IOException {
        this.socket = socket;
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        buffer.flip();
    }

    /** Connects, reads the greeting and leaves capabilities negotiation; retries a missing socket until the deadline. */
    public static Qmp connect(Path socket, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                Qmp qmp = new Qmp(socket, channel);
                try {
                    JsonNode greeting = qmp.readLine(deadline);
                    if (!greeting.has("QMP")) {
                        throw new VmException("the monitor's control socket " + socket + " did not greet as QMP does");
                    }
                    qmp.execute("qmp_capabilities", null, Duration.between(Instant.now(), deadline));
                    return qmp;
                } catch (RuntimeException e) {
                    qmp.close();
                    throw e;
                }
            } catch (IOException e) {
                last = e;
                closeQuietly(channel);
                sleep(20);
            }
        }
        throw new VmException("cannot reach the monitor's control socket " + socket
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** Runs a command and returns its {@code return} value; QMP's {@code error} becomes a {@link VmException}. */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        Instant deadline = Instant.now().plus(timeout);
        try {
            write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8), deadline);
            while (true) {
                JsonNode reply = readLine(deadline);
                if (reply.has("event")) {
                    continue;
                }
                if (reply.has("error")) {
                    throw new VmException("the monitor refused " + command + ": "
                            + Quote.escape(reply.path("error").path("desc").asText("?"), 300));
                }
                if (!reply.has("return")) {
                    throw new VmException("the monitor answered " + command + " with neither return nor error");
                }
                return reply.get("return");
            }
        } catch (IOException e) {
            throw new VmException("the monitor's control socket " + socket + " failed during " + command + ": "
                    + e.getMessage(), e);
        }
    }

    public JsonNode execute(String command) {
        return execute(command, null, COMMAND_TIMEOUT);
    }

    public static ObjectNode arguments() {
        return JSON.createObjectNode();
    }

    private void write(byte[] bytes, Instant deadline) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("timed out writing");
                }
                sleep(1);
            }
        }
    }

    private JsonNode readLine(Instant deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    try {
                        return JSON.readTree(line.toByteArray());
                    } catch (JsonProcessingException e) {
                        throw new VmException("the monitor sent a line that is not JSON: " + e.getOriginalMessage());
                    }
                }
                if (line.size() >= MAX_LINE) {
                    throw new VmException("the monitor sent a line over " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
            long wait = Duration.between(Instant.now(), deadline).toMillis();
            if (wait <= 0) {
                throw new VmException("the monitor did not answer on " + socket + " in time");
            }
            buffer.clear();
            selector.select(wait);
            selector.selectedKeys().clear();
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                throw new IOException("the monitor closed its control socket");
            }
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while talking to the monitor");
        }
    }
}
