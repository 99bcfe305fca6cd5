package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A scratch directory that a build running as root may have mounted file systems into: debootstrap mounts
 * {@code /proc} and {@code /sys} in its target and leaves them mounted when it is killed. Deleting such a tree
 * unmounts what is mounted under it first, and never crosses into another file system (a bind mount of the
 * host's {@code /dev} must not lose the host its device nodes).
 */
final class BuildTree {
    private BuildTree() {
    }

    /** The mount points at or under {@code dir}, deepest first (from {@code /proc/self/mountinfo}). */
    static List<Path> mountsUnder(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    Path mountPoint = Path.of(unescape(fields[4]));
                    if (mountPoint.startsWith(root)) {
                        found.add(mountPoint);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    /** Unmounts (lazily) everything mounted under {@code dir}; fails if something stays mounted. */
    static void unmountAll(Path dir) {
        for (Path mountPoint : mountsUnder(dir)) {
            ExternalCommand.runAllowingFailure(Duration.ofSeconds(30), List.of("umount", "-l", mountPoint.toString()));
        }
        List<Path> left = mountsUnder(dir);
        if (!left.isEmpty()) {
            throw new AssertionError("cannot unmount " + left + "; unmount them by hand and delete " + dir);
        }
    }

    /** Unmounts what is mounted under {@code dir}, then deletes it, staying on its file system. */
    static void delete(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        unmountAll(dir);
        try {
            Object device = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                        throw new IOException(d + " is on another file system; refusing to delete into it");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** Undoes the octal escapes ({@code \040} for a space) of a mountinfo field. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field.substring(i + 1, i + 4))) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String digits) {
        return digits.chars().allMatch(ch -> ch >= '0' && ch <= '7');
    }
}
