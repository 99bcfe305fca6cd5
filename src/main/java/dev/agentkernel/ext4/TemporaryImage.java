package dev.agentkernel.ext4;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The temporary sibling an image is written to. A shutdown hook, registered before the file exists, deletes it
 * if the JVM ends (Ctrl-C, SIGTERM) before {@link #release()}: threads are not unwound then, so neither
 * try-with-resources nor a caller's hook registered after {@code create} could close every gap.
 */
final class TemporaryImage {
    private final Thread hook;
    private volatile Path path;

    private TemporaryImage() {
        this.hook = new Thread(this::deleteQuietly, "ext4-delete-temporary-image");
    }

    /** Creates {@code .<name>.<random>.tmp} beside {@code target}, already guarded. */
    static TemporaryImage create(Path target) throws IOException {
        TemporaryImage temporary = new TemporaryImage();
        Runtime.getRuntime().addShutdownHook(temporary.hook);
        try {
            temporary.path = Files.createTempFile(target.getParent(), prefix(target), ".tmp");
            return temporary;
        } catch (IOException | RuntimeException e) {
            temporary.release();
            throw e;
        }
    }

    /**
     * {@code .<name>.pid<PID>at<START>.}: who writes the file, so that a later process can tell a temporary
     * left by a killed one (SIGKILL runs no hook) from one being written (the data directory's
     * {@code store.TemporaryFiles} reads names the same way).
     */
    private static String prefix(Path target) {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return "." + target.getFileName() + ".pid" + self.pid() + "at" + started + ".";
    }

    /** Deletes the temporaries of {@code target} whose writing process is gone; returns how many. */
    static int sweep(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        int deleted = 0;
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        String prefix = "." + target.getFileName() + ".pid";
        try (var stream = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix)
                && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : stream) {
                if (ownerGone(p.getFileName().toString().substring(prefix.length()))
                        && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    deleted++;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // clean-up only
        }
        return deleted;
    }

    /** {@code rest} is {@code <PID>at<START>.<random>.tmp}. */
    private static boolean ownerGone(String rest) {
        int at = rest.indexOf("at");
        int dot = rest.indexOf('.');
        if (at <= 0 || dot <= at) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(0, at));
            long started = Long.parseLong(rest.substring(at + 2, dot));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(h -> started != 0 && h.info().startInstant()
                            .map(i -> Math.abs(i.toEpochMilli() - started) >= 1000).orElse(false))
                    .orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    /** The file was renamed into place or deleted: the hook has nothing left to do. */
    void release() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs now; deleting a renamed or deleted file is a no-op
        }
    }

    private void deleteQuietly() {
        Path p = path;
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the JVM is ending; nothing better to do
            }
        }
    }
}
