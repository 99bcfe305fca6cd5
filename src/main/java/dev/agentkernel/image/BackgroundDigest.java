package dev.agentkernel.image;

import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Computes a digest on a thread of its own, so that hashing a layer (hundreds of MB) runs beside inflating and
 * writing it instead of after them on the same core. Bytes are copied into 256 KiB chunks and queued (at most
 * 4 MiB ahead); {@link #finish()} waits for the last chunk. Used by one reading thread at a time.
 */
final class BackgroundDigest {
    private static final int CHUNK = 256 * 1024;
    private static final byte[] END = new byte[0];

    private static final int CHUNKS = 16;

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CHUNKS + 1);
    /** Hashed chunks come back here for reuse: no garbage per chunk. */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS + 1);
    private int allocated = 1;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private byte[] chunk = new byte[CHUNK];
    private int filled;
    private boolean finished;

    BackgroundDigest(Digest expected, String what) {
        MessageDigest md = expected.newMessageDigest();
        Thread t = new Thread(() -> hash(md), "digest " + what);
        t.setDaemon(true);
        t.start();
    }

    private void hash(MessageDigest md) {
        try {
            for (byte[] b; (b = queue.take()) != END; ) {
                md.update(b, 0, b.length);
                if (b.length == CHUNK) {
                    free.offer(b);
                }
            }
            result.complete(md.digest());
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
    }

    void update(byte[] b, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, CHUNK - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == CHUNK) {
                put(chunk);
                chunk = nextChunk();
                filled = 0;
            }
        }
    }

    /** The digest of everything passed to {@link #update}. */
    byte[] finish() {
        if (!finished) {
            finished = true;
            try {
                if (filled > 0) {
                    byte[] last = new byte[filled];
                    System.arraycopy(chunk, 0, last, 0, filled);
                    put(last);
                }
                put(END);
            } catch (RuntimeException e) {
                stopThread(); // interrupted (a pipe being closed): the hashing thread must not wait forever
                throw e;
            }
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while hashing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing failed", e.getCause());
        }
    }

    /** Stops the hashing thread without a result (the stream was abandoned). */
    void abandon() {
        finished = true;
        stopThread();
    }

    private void stopThread() {
        if (!result.isDone()) {
            queue.clear();
            queue.offer(END);
        }
    }

    private byte[] nextChunk() {
        byte[] b = free.poll();
        if (b != null) {
            return b;
        }
        if (allocated < CHUNKS) {
            allocated++;
            return new byte[CHUNK];
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while hashing", e);
        }
    }

    private void put(byte[] b) {
        try {
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while hashing", e);
        }
    }
}
