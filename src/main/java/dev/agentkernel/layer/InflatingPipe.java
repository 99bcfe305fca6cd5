package dev.agentkernel.layer;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.SingleByteRead;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.ZipException;

/**
 * Decompresses one layer on its own thread into a bounded queue of buffers, read back as the layer's tar
 * stream. Inflating and tar parsing thus run on two cores, and a started pipe keeps inflating ahead (up to
 * {@link #CHUNKS} buffers) while the consumer is still busy with the previous layer.
 *
 * <p>The producer reads the blob to its very end, so a verifying source sees every byte and checks its
 * digest; the consumer drains the pipe after the tar's end ({@link #drainToEnd}) so such errors surface.
 */
final class InflatingPipe extends InputStream {
    static final int CHUNK_SIZE = 1 << 18;
    /** At most 32 MiB inflated ahead per layer: enough for the next layer to inflate alongside this one. */
    static final int CHUNKS = 128;

    private static final long CLOSE_WAIT_MILLIS = 10_000;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private final String layerName;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
    private final Thread producer;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile long compressedBytes;
    private int allocatedChunks; // buffers are allocated as needed, so small layers cost little memory

    private Chunk current;
    private int position;
    private boolean ended;

    private record Chunk(byte[] data, int length) {
    }

    private InflatingPipe(LayerSource layer) {
        this.layerName = layer.name();
        this.producer = new Thread(() -> produce(layer), "inflate " + layer.name());
        producer.setDaemon(true);
    }

    /** Opens the layer and starts inflating it on a new thread. */
    static InflatingPipe start(LayerSource layer) {
        InflatingPipe pipe = new InflatingPipe(layer);
        pipe.producer.start();
        return pipe;
    }

    /** Compressed bytes read so far (for progress). */
    long compressedBytes() {
        return compressedBytes;
    }

    private void produce(LayerSource layer) {
        try (InputStream raw = layer.opener().open();
             CountingInputStream counted = new CountingInputStream(raw, n -> compressedBytes = n);
             // closed explicitly: the zstd decoder's native memory has no finalizer
             InputStream data = Compression.decompress(counted,
                     Compression.fromMediaType(layer.mediaType(), layerName), layerName)) {
            while (!closed) {
                byte[] buffer = freeBuffer();
                int length = data.readNBytes(buffer, 0, buffer.length);
                if (length > 0) {
                    full.put(new Chunk(buffer, length));
                } else {
                    free.put(buffer);
                }
                if (length < buffer.length) { // readNBytes stops short only at the end of the stream
                    break;
                }
            }
            // Read what follows the compressed data too, so a verifying source checks the whole blob.
            if (!closed) {
                counted.transferTo(OutputStream.nullOutputStream());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        } catch (Throwable t) {
            failure = t;
        } finally {
            full.offer(END);
        }
    }

    private byte[] freeBuffer() throws InterruptedException {
        byte[] buffer = free.poll();
        if (buffer == null && allocatedChunks < CHUNKS) {
            allocatedChunks++;
            return new byte[CHUNK_SIZE];
        }
        return buffer != null ? buffer : free.take();
    }

    @Override
    public int read() throws IOException {
        return SingleByteRead.of(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!nextChunk()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current.data, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && nextChunk()) {
            int step = (int) Math.min(n - skipped, current.length - position);
            position += step;
            skipped += step;
        }
        return skipped;
    }

    /** Whether data is available in {@code current}; blocks for the producer; rethrows its failure at the end. */
    private boolean nextChunk() throws IOException {
        if (current != null && position < current.length) {
            return true;
        }
        if (ended) {
            return false;
        }
        if (current != null) {
            free.offer(current.data);
            current = null;
        }
        Chunk next;
        try {
            next = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + layerName);
        }
        if (next == END) {
            ended = true;
            rethrowFailure();
            return false;
        }
        current = next;
        position = 0;
        return true;
    }

    /** Reads and drops the rest of the stream, so errors found at its end (checksums, digests) are reported. */
    void drainToEnd() throws IOException {
        while (nextChunk()) {
            position = current.length;
        }
    }

    private void rethrowFailure() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof AgentkernelException ae) {
            throw ae;
        }
        if (t instanceof EOFException) {
            throw new ImageException(layerName + " is truncated: its compressed data ends early (" + t.getMessage()
                    + ")", t);
        }
        if (t instanceof ZipException || isZstdError(t)) {
            throw new ImageException(layerName + " is corrupt: " + t.getMessage(), t);
        }
        if (t instanceof InterruptedException) {
            throw new InterruptedIOException("interrupted while inflating " + layerName);
        }
        if (t instanceof IOException io) {
            throw new IOException("cannot read " + layerName + ": " + io.getMessage(), io);
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        throw new IllegalStateException("inflating " + layerName + " failed", t);
    }

    private static boolean isZstdError(Throwable t) {
        return t.getClass().getName().startsWith("com.github.luben.zstd");
    }

    /** Stops the producer (if still running) and waits for it, so the blob is closed when this returns. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.interrupt();
        try {
            producer.join(CLOSE_WAIT_MILLIS); // a producer stuck in a blocking read finishes on its own later
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
