package dev.agentkernel.snapshot;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot directory being written, whatever the monitor: a temporary sibling of its target, the header written
 * last, then one atomic rename, so a snapshot is either complete or absent; on any other way out the temporary
 * directory is deleted (after the body's own clean-up, such as continuing the VM).
 */
final class StagedSnapshot {
    /** Writes the snapshot's files into {@code files} (forcing them to disk) and returns its header. */
    @FunctionalInterface
    interface Body {
        SnapshotHeader write(SnapshotFiles files) throws IOException;
    }

    private StagedSnapshot() {
    }

    static SnapshotHeader commit(Path target, Body body) {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + TemporaryFiles.ownerTag() + ".tmp");
        try {
            Files.createDirectories(temp);
            SnapshotFiles files = new SnapshotFiles(temp);
            SnapshotHeader made = body.write(files);
            SnapshotJson.write(files.header(), made);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            return made;
        } catch (IOException e) {
            throw new StoreException("cannot save a snapshot to " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(AtomicFiles::deleteQuietly);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
