package dev.agentkernel.agent;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames over a Unix socket (QEMU's chardev socket of a virtio-serial port, or Firecracker's vsock socket
 * after its handshake). Non-blocking with a selector, so every read and write honours a deadline, and
 * {@link #close} wakes a reader or writer that waits, from any thread.
 */
public final class SocketAgentChannel implements AgentChannel {
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    public SocketAgentChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        this.writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
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
        ByteBuffer[] frame = new ByteBuffer[parts.length + 1];
        frame[0] = ByteBuffer.wrap(AgentChannel.header((int) length));
        System.arraycopy(parts, 0, frame, 1, parts.length);
        lockForWriting(deadline);
        try {
            write(frame, deadline);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void sendRaw(byte[] bytes) throws IOException {
        lockForWriting(null);
        try {
            write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, null);
        } finally {
            writeLock.unlock();
        }
    }

    private void lockForWriting(Instant deadline) throws IOException {
        try {
            if (deadline == null) {
                writeLock.lockInterruptibly();
            } else if (!writeLock.tryLock(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
                    java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new SocketTimeoutException("the guest agent did not take the frames sent before in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while sending to the guest agent");
        }
    }

    private void write(ByteBuffer[] buffers, Instant deadline) throws IOException {
        while (anyRemaining(buffers)) {
            checkOpen();
            if (channel.write(buffers) == 0) {
                try {
                    writeSelector.select(waitMillis(deadline, "the guest agent did not read what was sent in time"));
                    writeSelector.selectedKeys().clear();
                } catch (java.nio.channels.ClosedSelectorException e) {
                    throw new AsynchronousCloseException();
                }
            }
        }
    }

    private static boolean anyRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] receive(Instant deadline) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(header, deadline);
        int length = AgentChannel.checkedLength(header.array());
        return GrowingPayload.read(length, (buffer, offset, n) -> {
            ByteBuffer target = ByteBuffer.wrap(buffer, offset, n);
            readSome(target, deadline);
            return target.position() - offset;
        });
    }

    @Override
    public int receiveRaw(byte[] buffer, int offset, int length, Instant deadline) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, offset, length);
        readSome(target, deadline);
        return target.position() - offset;
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
            readSome(buffer, deadline);
        }
    }

    /** Reads at least one byte into {@code buffer} (which has room), waiting until the deadline. */
    private void readSome(ByteBuffer buffer, Instant deadline) throws IOException {
        while (true) {
            checkOpen();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new EOFException("the guest side closed the connection");
            }
            if (n > 0) {
                return;
            }
            try {
                readSelector.select(waitMillis(deadline, "no answer from the guest agent in time"));
                readSelector.selectedKeys().clear();
            } catch (java.nio.channels.ClosedSelectorException e) {
                throw new AsynchronousCloseException();
            }
        }
    }

    /** How long a select may wait: until the deadline, or a second at a time without one (to notice close). */
    private static long waitMillis(Instant deadline, String timeoutMessage) throws SocketTimeoutException {
        if (deadline == null) {
            return 1000;
        }
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw new SocketTimeoutException(timeoutMessage);
        }
        return Math.min(ms, 1000);
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new AsynchronousCloseException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        readSelector.wakeup();
        writeSelector.wakeup();
        try (channel; readSelector; writeSelector) {
            // closes all three
        }
    }
}
