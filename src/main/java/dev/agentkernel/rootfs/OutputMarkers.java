package dev.agentkernel.rootfs;

import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where {@code rootfs -o FILE} conversions are writing: each one leaves a marker in the data directory's
 * {@code tmp/outputs/}, named by its owner ({@link TemporaryFiles#ownerTag}) and holding the target's path, for
 * as long as it runs. A conversion killed with SIGKILL leaves its temporary image beside FILE and its marker;
 * every later conversion sweeps the temporaries of the markers whose owner is gone, wherever they were written,
 * not only the next conversion of the same file. Only files the ext4 writer names as its own temporaries of
 * that target, and whose owner is gone, are deleted.
 */
final class OutputMarkers {
    private static final int MAX_MARKER_BYTES = 8192;

    private OutputMarkers() {
    }

    /** Records that this process writes target; returns the marker to {@link #unmark}, or null if none could be made. */
    static Path mark(AgentkernelHome home, Path target) {
        for (int attempt = 0; attempt < 2; attempt++) { // a second try: another unmark removed the emptied directory
            try {
                Path dir = Files.createDirectories(home.tmp().resolve("outputs"));
                Path marker = dir.resolve(TemporaryFiles.ownerTag() + "-" + UUID.randomUUID() + ".output");
                Files.writeString(marker, target.toAbsolutePath().toString(), StandardCharsets.UTF_8);
                return marker;
            } catch (IOException | RuntimeException e) {
                // below, or no marker: only a clean-up aid, the conversion itself does not need it
            }
        }
        return null;
    }

    /** Removes the marker, and the markers' directory once it is empty, so a finished conversion leaves nothing. */
    static void unmark(Path marker) {
        if (marker != null) {
            try {
                Files.deleteIfExists(marker);
                Files.deleteIfExists(marker.getParent());
            } catch (IOException ignored) {
                // another conversion's marker is there (the directory stays), or swept later once we are gone
            }
        }
    }

    /** Sweeps what conversions whose owner is gone left; returns the temporaries deleted. */
    static int sweep(AgentkernelHome home) {
        Path dir = home.tmp().resolve("outputs");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, "*.output")) {
            for (Path marker : markers) {
                if (!TemporaryFiles.ownerGone(marker.getFileName().toString())
                        || !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
                        || Files.size(marker) > MAX_MARKER_BYTES) {
                    continue;
                }
                try {
                    deleted += Ext4Writer.sweepTemporaries(Path.of(Files.readString(marker, StandardCharsets.UTF_8)));
                } catch (InvalidPathException | IOException ignored) {
                    // a marker we cannot read names nothing we could sweep
                }
                Files.deleteIfExists(marker);
            }
        } catch (IOException | RuntimeException ignored) {
            // clean-up only
        }
        try {
            Files.deleteIfExists(dir); // empty once every dead marker is gone
        } catch (IOException stillInUse) {
            // a live conversion's marker
        }
        return deleted;
    }
}
