package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on lock files, held across processes ({@link FileChannel#lock}) and across threads of this
 * process (the JVM refuses overlapping file locks within one process, so threads queue on a
 * {@link ReentrantLock} per path first).
 */
public final class FileLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** A held lock; closing releases it. */
    public static final class Held implements AutoCloseable {
        private final ReentrantLock threadLock;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock threadLock, FileChannel channel, FileLock lock) {
            this.threadLock = threadLock;
            this.channel = channel;
            this.lock = lock;
        }

        private boolean closed;

        /** Releases the lock; a second call does nothing. Call it from the thread that took the lock. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new StoreException("could not release lock: " + e.getMessage(), e);
            } finally {
                threadLock.unlock();
            }
        }
    }

    /** Blocks until this process holds the exclusive lock on {@code lockFile}, creating the file if needed. */
    public static Held exclusive(Path lockFile) {
        return acquire(lockFile, true).orElseThrow();
    }

    /**
     * The exclusive lock on {@code lockFile} if nobody holds it now, else empty at once: for clean-up work that
     * should skip whatever is in use rather than wait for it.
     */
    public static Optional<Held> tryExclusive(Path lockFile) {
        return acquire(lockFile, false);
    }

    /** The lock, waiting for it when {@code wait}, else empty when another thread or process holds it. */
    private static Optional<Held> acquire(Path lockFile, boolean wait) {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        if (wait) {
            threadLock.lock();
        } else if (!threadLock.tryLock()) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = wait ? lockRetryingFalseDeadlocks(channel) : tryLock(channel);
            if (lock == null) {
                closeQuietly(channel);
                threadLock.unlock();
                return Optional.empty();
            }
            return Optional.of(new Held(threadLock, channel, lock));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            threadLock.unlock();
            throw new StoreException("could not lock " + key + ": " + e.getMessage(), e);
        }
    }

    /** The lock if free now, else null (also when this thread holds it already: the thread lock is reentrant). */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            return null;
        }
    }

    /**
     * Linux checks POSIX record locks for deadlock per process, not per thread: when two processes each have
     * one thread holding a lock and another waiting for the other's, the kernel refuses the second wait with
     * EDEADLK although no thread waits for itself. Nothing was acquired then, so waiting a moment and asking
     * again is safe; the holder's thread makes progress meanwhile.
     */
    private static FileLock lockRetryingFalseDeadlocks(FileChannel channel) throws IOException {
        long backoffMillis = 5;
        while (true) {
            try {
                return channel.lock();
            } catch (IOException e) {
                if (!isDeadlockRefusal(e)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a lock", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 200);
        }
    }

    private static boolean isDeadlockRefusal(IOException e) {
        String message = e.getMessage();
        return message != null && message.contains("Resource deadlock avoided");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the lock error is the one to report.
            }
        }
    }
}
