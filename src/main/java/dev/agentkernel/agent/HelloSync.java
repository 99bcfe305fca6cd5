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
 * unread on the port goes that way.
 */
final class HelloSync {
    static final int MAX_FRAMES = 64;
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
        } catch (AgentChannel.FrameTooLargeException e) {
            throw new AgentProtocolException(e.getMessage() + " on " + label, e);
        } catch (EOFException e) {
            throw new VmException("the guest agent on " + label + " closed the connection before answering hello", e);
        } catch (IOException e) {
            throw new VmException("lost the connection to the guest agent on " + label + " during hello: "
                    + e.getMessage(), e);
        }
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
