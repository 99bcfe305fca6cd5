package dev.agentkernel.agent;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
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
    public void send(Instant deadline, ByteBuffer... parts) throws IOException {
        long length = 0;
        for (ByteBuffer part : parts) {
            length += part.remaining();
        }
        if (length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a frame of " + length + " bytes is over the limit");
        }
        synchronized (out) {
            out.write(AgentChannel.header((int) length));
            for (ByteBuffer part : parts) {
                if (part.hasArray()) {
                    out.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
                    part.position(part.limit());
                } else {
                    byte[] copy = new byte[part.remaining()];
                    part.get(copy);
                    out.write(copy);
                }
            }
            out.flush();
        }
    }

    @Override
    public void sendRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    @Override
    public byte[] receive(Instant deadline) throws IOException {
        byte[] header = new byte[4];
        in.readFully(header);
        int length = AgentChannel.checkedLength(header);
        return GrowingPayload.read(length, in::read);
    }

    @Override
    public int receiveRaw(byte[] buffer, int offset, int length, Instant deadline) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            throw new java.io.EOFException("the guest side closed the connection");
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        try (in; out) {
            // closes both
        }
    }
}
