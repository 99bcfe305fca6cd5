package dev.agentkernel.agent;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;

/**
 * Frames over a pair of blocking streams, e.g. the pipes of {@code agent --stdio} in tests. Deadlines are
 * not enforced here: the caller bounds the run time (a test timeout, or destroying the process).
 */
public final class StreamAgentChannel implements AgentChannel {
    private final DataInputStream in;
    private final OutputStream out;

    public StreamAgentChannel(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
    }

    @Override
    public void send(byte[] payload) throws IOException {
        out.write(AgentChannel.header(payload.length));
        out.write(payload);
        out.flush();
    }

    @Override
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public byte[] receive(Instant deadline) throws IOException {
        byte[] header = new byte[4];
        in.readFully(header);
        int length = AgentChannel.length(header);
        if (length < 0 || length > MAX_RESPONSE_BYTES) {
            throw new IOException("the guest agent announced a frame of " + Integer.toUnsignedString(length) + " bytes");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() throws IOException {
        try (in; out) {
            // closes both
        }
    }
}
