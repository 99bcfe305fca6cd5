package dev.agentkernel.copy;

import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Host file helpers of a copy: temporary names, real directories, removal that never follows a symlink. */
final class HostPaths {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TEMP_PREFIX = ".agentkernel-cp-";

    private HostPaths() {
    }

    /** A fresh name beside {@code path} for building it: it names this process and cannot be guessed. */
    static Path temporarySibling(Path path) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return path.resolveSibling(TEMP_PREFIX + TemporaryFiles.ownerTag() + "-" + HexFormat.of().formatHex(random));
    }

    /**
     * Removes what copies killed with SIGKILL left in {@code dir} (their temporary files and unfinished new
     * destinations, named for their process); a live copy's are never touched.
     */
    static void sweepAbandoned(Path dir) {
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path p : entries) {
                if (TemporaryFiles.ownerGone(p.getFileName().toString())) {
                    deleteTree(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // clean-up only; the copy reports what it cannot write
        }
    }

    /** Whether {@code path} is a directory itself, not a symlink to one. */
    static boolean isRealDirectory(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether anything, a dangling symlink included, is at {@code path}. */
    static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** Removes {@code path} and, if it is a real directory, everything in it; symlinks are removed, never followed. */
    static void deleteTree(Path path) throws IOException {
        if (!exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Whether this process runs as root (the owner of {@code /proc/self} is the effective user). */
    static boolean runsAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
