package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a host path as a copy: the path itself as the root {@code .} (a symlink as a symlink), and for a
 * directory everything under it, depth first, without following symlinks; files whose link count is above one
 * are sent once and then as hard links to their first path; all-zero chunks stay holes. Sockets are skipped.
 */
final class HostTreeReader {
    private final FileData data = new FileData();
    private final Map<List<Long>, String> linked = new HashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private long entries;
    private long bytes;

    record Result(long entries, long bytes, List<String> skipped) {
    }

    /** Sends {@code root} to {@code target}; the root's attributes are read again, so {@code root} may be any kind. */
    Result send(Path root, TreeTarget target) throws IOException {
        HostAttributes rootAttributes = HostAttributes.of(root);
        if (rootAttributes == null) {
            throw new UserInputException(Quote.name(root.toString()) + " is a socket, which cannot be copied");
        }
        if (rootAttributes.kind() != EntryKind.DIR) {
            sendOne(root, CopyPaths.ROOT, rootAttributes, target);
            return new Result(entries, bytes, skipped);
        }
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        return visit(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        visit(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        throw e;
                    }

                    private boolean visit(Path path) throws IOException {
                        String rel = relative(root, path);
                        if (rel == null) {
                            return false;
                        }
                        HostAttributes a = HostAttributes.of(path);
                        if (a == null) {
                            skipped.add(rel + " (a socket)");
                            return false;
                        }
                        sendOne(path, rel, a, target);
                        return a.kind() == EntryKind.DIR;
                    }
                });
        return new Result(entries, bytes, skipped);
    }

    /** The copy path of {@code path} under {@code root}; null (and recorded) when it cannot be one. */
    private String relative(Path root, Path path) {
        if (path.equals(root)) {
            return CopyPaths.ROOT;
        }
        String rel = root.relativize(path).toString();
        String problem = CopyPaths.problem(rel);
        if (problem != null || rel.indexOf('\uFFFD') >= 0) {
            skipped.add(Quote.escape(rel, 200) + " (its name " + (problem != null ? problem : "is not UTF-8") + ")");
            return null;
        }
        return rel;
    }

    private void sendOne(Path path, String rel, HostAttributes a, TreeTarget target) throws IOException {
        long seconds = a.mtime().getEpochSecond();
        int nanos = a.mtime().getNano();
        if (a.kind() != EntryKind.DIR && a.nlink() > 1 && !rel.equals(CopyPaths.ROOT)) {
            List<Long> key = List.of(a.dev(), a.ino());
            String first = linked.get(key);
            if (first != null) {
                target.entry(new CopyEntry(rel, EntryKind.HARDLINK, a.mode(), a.uid(), a.gid(), seconds, nanos, 0, first,
                        0, 0));
                entries++;
                return;
            }
            linked.put(key, rel);
        }
        String linkTarget = a.kind() == EntryKind.SYMLINK ? Files.readSymbolicLink(path).toString() : null;
        target.entry(new CopyEntry(rel, a.kind(), a.mode(), a.uid(), a.gid(), seconds, nanos, a.size(), linkTarget,
                a.rdevMajor(), a.rdevMinor()));
        entries++;
        if (a.kind() == EntryKind.FILE && a.size() > 0) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                 InputStream in = Channels.newInputStream(channel)) {
                bytes += data.send(in, a.size(), target);
            }
        }
    }
}
