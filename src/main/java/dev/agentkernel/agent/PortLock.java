package dev.agentkernel.agent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An agent port taken by this process: an exclusive lock on the port's lock file, which the kernel drops when
 * the process dies however it dies, so a killed client never leaves a port taken. Java's file locks are
 * {@code fcntl} record locks, which every agentkernel process uses for these files. Within this JVM a port is
 * claimed in a set first: a second channel on a locked file must never be opened and closed, since closing it
 * would drop the lock of the first. Released by {@link #close} from any thread.
 */
final class PortLock implements Closeable {
    private static final Set<Path> CLAIMED = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private PortLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock if the port is free now, else empty at once. */
    static Optional<PortLock> tryTake(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (!CLAIMED.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                CLAIMED.remove(key);
                return Optional.empty();
            }
            return Optional.of(new PortLock(key, channel, lock));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            CLAIMED.remove(key);
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (channel) {
            lock.release();
        } finally {
            CLAIMED.remove(key);
        }
    }
}
