package dev.agentkernel.store;

import dev.agentkernel.errors.StoreException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that readers see either the old content or the complete new one, never a half-written file:
 * the bytes go to a temporary sibling, are forced to disk, and the sibling is renamed over the target. Any
 * failure deletes the temporary file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with {@code content}. */
    public static void write(Path target, byte[] content) {
        write(target, out -> out.write(content));
    }

    /** Atomically replaces {@code target} with what {@code writer} produces. */
    public static void write(Path target, ContentWriter writer) {
        Path temp = null;
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + target.getFileName() + "." + TemporaryFiles.ownerTag() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new StoreException("could not write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Renames {@code source} over {@code target} atomically. Both must be on the same file system; the
     * temporary files of this class always are, being siblings of their targets.
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target + " atomically", e);
        }
    }

    /** Deletes a file if it exists, ignoring failures; for clean-up paths that must not mask the first error. */
    public static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Clean-up only: the original error, if any, is what the user needs to see.
        }
    }
}
