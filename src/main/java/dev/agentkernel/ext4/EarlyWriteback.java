package dev.agentkernel.ext4;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts writing dirty pages to disk while the image is still being streamed: after every {@code interval}
 * bytes a background thread syncs the file's data, so the disk works while the caller keeps feeding bytes and
 * the final fsync in {@link ImageFile#complete} finds little left to do. The final fsync still decides
 * durability; a failure here is only kept for {@link #await} to report.
 */
final class EarlyWriteback {
    private final FileChannel channel;
    private final long interval;
    private final AtomicLong sinceLast = new AtomicLong();
    private Thread running;
    private IOException failure;

    EarlyWriteback(FileChannel channel, long interval) {
        this.channel = channel;
        this.interval = interval;
    }

    /** Counts written bytes; starts a background sync when an interval's worth has accumulated and none runs. */
    void wrote(long bytes) {
        if (sinceLast.addAndGet(bytes) >= interval) {
            start();
        }
    }

    private synchronized void start() {
        if (running != null && running.isAlive()) {
            return; // the running sync will be followed by the next one once more bytes arrive
        }
        sinceLast.set(0);
        running = new Thread(this::sync, "ext4-early-writeback");
        running.setDaemon(true); // never keeps the JVM alive; the final fsync is what counts
        running.start();
    }

    private void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            synchronized (this) {
                if (failure == null && channel.isOpen()) {
                    failure = e;
                }
            }
        }
    }

    /** Waits for a running sync (never interrupts it: that would close the channel) and reports its failure. */
    void await() throws IOException {
        Thread thread;
        synchronized (this) {
            thread = running;
        }
        if (thread != null) {
            Threads.joinUninterruptibly(thread);
        }
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
        }
    }
}
