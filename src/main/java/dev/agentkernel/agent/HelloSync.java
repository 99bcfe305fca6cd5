package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The start of every connection: {@code hello} with a fresh random id, then every frame is discarded until
 * the answer with that id, at most {@value #MAX_FRAMES} frames or the timeout. Whatever a previous host left
 * unread on the port goes that way. A previous host that went away mid-frame (killed during a copy or a
 * command's output) leaves the stream out of step: a length over the limit says so (text read as a length is
 * over 512 MiB), and then a second {@code hello} is sent and the raw bytes are searched for its answer (at
 * most {@value #MAX_RESYNC_BYTES} bytes, within the timeout), which puts the stream back in step.
 */
final class HelloSync {
    static final int MAX_FRAMES = 64;
    static final int MAX_RESYNC_BYTES = 64 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private HelloSync() {
    }

    static AgentHello sync(AgentChannel channel, Duration timeout, String label) {
        byte[] nonce = new byte[8];
        RANDOM.nextBytes(nonce);
        String id = "hello-" + HexFormat.of().formatHex(nonce);
        Instant deadline = Instant.now().plus(timeout);
        try {
            var request = Wire.object().put("id", id).put("type", "hello");
            channel.send(deadline, ByteBuffer.wrap(Wire.encode(request)));
            for (int i = 0; i < MAX_FRAMES; i++) {
                Frame frame;
                try {
                    frame = Wire.decode(channel.receive(deadline));
                } catch (AgentProtocolException leftover) {
                    continue; // a broken leftover of an earlier host is discarded like any other
                } catch (AgentChannel.FrameTooLargeException outOfStep) {
                    return resync(channel, deadline, label);
                }
                if (frame instanceof Frame.Json json && id.equals(json.node().path("id").textValue())) {
                    return answer(Reply.of(id, "hello", new WireObject(json.node(), "its answer to hello")));
                }
            }
            throw new VmException("the guest agent on " + label + " sent " + MAX_FRAMES
                    + " frames without answering hello; the connection was closed");
        } catch (SocketTimeoutException e) {
            throw new VmException("the guest agent on " + label + " did not answer hello within "
                    + timeout.toMillis() + " ms; is the sandbox running, and does its agent serve this port?", e);
        } catch (EOFException e) {
            throw new VmException("the guest agent on " + label + " closed the connection before answering hello", e);
        } catch (IOException e) {
            throw new VmException("lost the connection to the guest agent on " + label + " during hello: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Sends another hello and searches the raw bytes for its answer, {@code <length>{"id":"hello-<hex>"...}
     * (the first hello's answer, which comes before it, is passed over with the rest).
     */
    private static AgentHello resync(AgentChannel channel, Instant deadline, String label)
            throws IOException {
        byte[] nonce = new byte[8];
        RANDOM.nextBytes(nonce);
        String id = "hello-" + HexFormat.of().formatHex(nonce);
        channel.send(deadline, ByteBuffer.wrap(Wire.encode(Wire.object().put("id", id).put("type", "hello"))));
        byte[] marker = ("{\"id\":\"" + id + "\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] window = new byte[64 << 10];
        int have = 0;
        long scanned = 0;
        while (scanned < MAX_RESYNC_BYTES) {
            int n = channel.receiveRaw(window, have, window.length - have, deadline);
            have += n;
            scanned += n;
            for (int at = 4; at + marker.length <= have; at++) {
                if (java.util.Arrays.equals(window, at, at + marker.length, marker, 0, marker.length)) {
                    int length = AgentChannel.length(java.util.Arrays.copyOfRange(window, at - 4, at));
                    if (length < marker.length || length > AgentChannel.MAX_JSON_BYTES) {
                        continue;
                    }
                    byte[] payload = new byte[length];
                    int got = Math.min(length, have - at);
                    System.arraycopy(window, at, payload, 0, got);
                    while (got < length) {
                        got += channel.receiveRaw(payload, got, length - got, deadline);
                    }
                    Frame frame = Wire.decode(payload);
                    if (frame instanceof Frame.Json json) {
                        return answer(Reply.of(id, "hello", new WireObject(json.node(), "its answer to hello")));
                    }
                }
            }
            // keep the tail that could begin a marker and its length
            int keep = Math.min(have, marker.length + 4);
            System.arraycopy(window, have - keep, window, 0, keep);
            have = keep;
        }
        throw new VmException("the guest agent on " + label + " sent " + MAX_RESYNC_BYTES + " bytes out of step"
                + " without answering hello; the connection was closed");
    }

    private static AgentHello answer(Reply reply) {
        if (reply.isError()) {
            return AgentHello.VERSION_1; // version 1 knows no hello: "unknown request type 'hello'"
        }
        WireObject body = reply.body();
        return new AgentHello((int) body.integer("protocol", 1, 1_000_000), body.string("agent"),
                body.strings("features", 64, 64));
    }
}
