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
            temporary.path = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            return temporary;
        } catch (IOException | RuntimeException e) {
            temporary.release();
            throw e;
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
