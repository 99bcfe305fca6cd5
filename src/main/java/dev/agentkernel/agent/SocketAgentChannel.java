package dev.agentkernel.agent;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;

/**
 * Frames over a Unix socket (QEMU's chardev socket of the virtio-serial port, or Firecracker's vsock socket
 * after its handshake). Non-blocking with a selector, so every read honours a deadline.
 */
public final class SocketAgentChannel implements AgentChannel {
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;

    public SocketAgentChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        this.writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    @Override
    public void send(byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
        frame.put(AgentChannel.header(payload.length)).put(payload).flip();
        write(frame);
    }

    @Override
    public void sendRaw(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    private void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                writeSelector.select(1000);
                writeSelector.selectedKeys().clear();
            }
        }
    }

    @Override
    public byte[] receive(Instant deadline) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(header, deadline);
        int length = AgentChannel.length(header.array());
        if (length < 0 || length > MAX_RESPONSE_BYTES) {
            throw new IOException("the guest agent announced a frame of " + Integer.toUnsignedString(length)
                    + " bytes, more than the limit of " + MAX_RESPONSE_BYTES);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(payload, deadline);
        return payload.array();
    }

    /** Reads up to a line feed (for the Firecracker handshake), byte by byte so no frame data is consumed. */
    String readLine(Instant deadline, int maxLength) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() < maxLength) {
            one.clear();
            readFully(one, deadline);
            char c = (char) (one.get(0) & 0xFF);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
        throw new IOException("line longer than " + maxLength + " bytes: " + line);
    }

    private void readFully(ByteBuffer buffer, Instant deadline) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer);
            if (n < 0) {
                throw new EOFException("the guest side closed the connection");
            }
            if (n > 0) {
                continue;
            }
            long waitMs = 0;
            if (deadline != null) {
                waitMs = Duration.between(Instant.now(), deadline).toMillis();
                if (waitMs <= 0) {
                    throw new SocketTimeoutException("no answer from the guest agent in time");
                }
            }
            readSelector.select(waitMs);
            readSelector.selectedKeys().clear();
        }
    }

    @Override
    public void close() throws IOException {
        try (channel; readSelector; writeSelector) {
            // closes all three
        }
    }
}
