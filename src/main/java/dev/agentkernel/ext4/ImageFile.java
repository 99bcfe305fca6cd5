package dev.agentkernel.ext4;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The one write path into the temporary image: positional, thread-safe writes by block number. The first
 * failure is kept, so a later write cannot hide it and finish() reports it.
 */
final class ImageFile implements AutoCloseable {
    private final Path path;
    private final RandomAccessFile file;
    private final FileChannel channel;
    private final long fixedSizeBytes;
    private final EarlyWriteback writeback;
    private volatile IOException firstError;

    /** Opens an existing, empty file. */
    ImageFile(Path path, long fixedSizeBytes) throws IOException {
        this.path = path;
        this.fixedSizeBytes = fixedSizeBytes;
        this.file = new RandomAccessFile(path.toFile(), "rw");
        this.channel = file.getChannel();
        this.writeback = new EarlyWriteback(channel, WRITEBACK_INTERVAL);
    }

    /** Bytes between background data syncs: large enough to batch, small enough to overlap most of the I/O. */
    private static final long WRITEBACK_INTERVAL = 64L << 20;

    Path path() {
        return path;
    }

    long fixedSizeBytes() {
        return fixedSizeBytes;
    }

    void write(long block, byte[] bytes, int offset, int length) throws IOException {
        write(block * Geometry.BLOCK_SIZE, ByteBuffer.wrap(bytes, offset, length));
    }

    void write(long block, byte[] bytes) throws IOException {
        write(block, bytes, 0, bytes.length);
    }

    /** Writes at a byte position (the primary superblock sits at byte 1024 of block 0). */
    void write(long position, ByteBuffer buffer) throws IOException {
        if (firstError != null) {
            throw firstError;
        }
        if (fixedSizeBytes > 0 && position + buffer.remaining() > fixedSizeBytes) {
            throw new IllegalStateException("write beyond the fixed size at " + position);
        }
        try {
            int length = buffer.remaining();
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            writeback.wrote(length);
        } catch (IOException e) {
            if (firstError == null) {
                firstError = e;
            }
            throw e;
        }
    }

    /** Sets the final length (the unwritten tail stays a hole) and forces everything to disk. */
    void complete(long sizeBytes) throws IOException {
        if (firstError != null) {
            throw firstError;
        }
        if (channel.size() > sizeBytes) {
            throw new IllegalStateException("image data beyond its size");
        }
        writeback.await();
        file.setLength(sizeBytes); // extends with a hole
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
