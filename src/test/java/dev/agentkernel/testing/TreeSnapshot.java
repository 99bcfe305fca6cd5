package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A comparable description of a file tree, entry by entry: type, mode, owner, size, content hash, symlink
 * target, xattrs, device numbers, mtime and hard-link group. Built from a directory on disk (an unpacker's
 * output, a mounted image) or by tests from their own trees, then compared with {@link #differences}.
 */
public final class TreeSnapshot {
    private TreeSnapshot() {
    }

    /**
     * One entry. {@code type} is 'd', 'f', 'l', 'c', 'b', 'p' or 's'; {@code mode} the 07777 bits; {@code xattrs}
     * hex values by name; {@code mtime} null where it is not to be
     * compared; {@code linkGroup} all paths sharing the inode (sorted) when there are several, else
     * empty; {@code size}, {@code sha256}, {@code target} only where they apply (else 0 / null).
     */
    public record Entry(char type, int mode, int uid, int gid, long size, String sha256, String target,
                        Map<String, String> xattrs, int major, int minor, Instant mtime, List<String> linkGroup) {
    }

    /** Snapshots the tree under {@code root} (paths relative to it, "" for root itself), without following links. */
    public static Map<String, Entry> ofDirectory(Path root) throws IOException, InterruptedException {
        Map<String, Map<String, String>> xattrs = xattrs(root);
        Map<String, Entry> entries = new TreeMap<>();
        Map<Object, List<String>> inodes = new HashMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path p) throws IOException {
                String rel = root.relativize(p).toString();
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,rdev,size,lastModifiedTime,nlink",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                char type = switch (mode & 0170000) {
                    case 0040000 -> 'd';
                    case 0100000 -> 'f';
                    case 0120000 -> 'l';
                    case 0020000 -> 'c';
                    case 0060000 -> 'b';
                    case 0010000 -> 'p';
                    default -> 's';
                };
                long rdev = (Long) a.get("rdev");
                int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
                int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
                if (type != 'c' && type != 'b') {
                    major = 0;
                    minor = 0;
                }
                if (type != 'd' && (Integer) a.get("nlink") > 1) {
                    inodes.computeIfAbsent(a.get("ino"), k -> new ArrayList<>()).add(rel);
                }
                entries.put(rel, new Entry(type, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                        type == 'f' ? (Long) a.get("size") : 0, type == 'f' ? sha256(Files.readAllBytes(p)) : null,
                        type == 'l' ? Files.readSymbolicLink(p).toString() : null,
                        xattrs.getOrDefault(rel, Map.of()), major, minor,
                        ((FileTime) a.get("lastModifiedTime")).toInstant(), List.of()));
            }
        });
        for (List<String> group : inodes.values()) {
            if (group.size() > 1) {
                List<String> sorted = List.copyOf(new TreeSet<>(group));
                for (String path : group) {
                    entries.put(path, withLinkGroup(entries.get(path), sorted));
                }
            }
        }
        return entries;
    }

    public static Entry withLinkGroup(Entry e, List<String> group) {
        return new Entry(e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.sha256(), e.target(), e.xattrs(),
                e.major(), e.minor(), e.mtime(), group);
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every xattr under root, by relative path, with hex values (from getfattr, which must be installed). */
    private static Map<String, Map<String, String>> xattrs(Path root) throws IOException, InterruptedException {
        Path getfattr = RequiredTools.require("getfattr");
        TestProcess.Result r = TestProcess.run(List.of(getfattr.toString(), "-R", "-P", "-h", "-d", "-m", "-",
                "-e", "hex", "--absolute-names", root.toAbsolutePath().toString()), Duration.ofSeconds(60));
        Map<String, Map<String, String>> out = new HashMap<>();
        String current = null;
        Path absRoot = root.toAbsolutePath();
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("# file: ")) {
                current = absRoot.relativize(Path.of(line.substring("# file: ".length()))).toString();
            } else if (!line.isBlank() && current != null) {
                int eq = line.indexOf('=');
                String name = eq < 0 ? line : line.substring(0, eq);
                String value = eq < 0 ? "" : line.substring(eq + 1).replaceFirst("^0x", "");
                out.computeIfAbsent(current, k -> new TreeMap<>()).put(name, value);
            }
        }
        return out;
    }

    /** Which aspects {@link #differences} compares. */
    public record Options(boolean directoryMtimes, boolean symlinkMtimes, List<String> ignoredPaths) {
        public static final Options ALL = new Options(true, true, List.of());
    }

    /** Human-readable differences between two snapshots (empty when they agree). */
    public static List<String> differences(Map<String, Entry> expected, Map<String, Entry> actual, Options options) {
        List<String> out = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        for (String path : paths) {
            if (options.ignoredPaths().contains(path)) {
                continue;
            }
            Entry e = expected.get(path);
            Entry a = actual.get(path);
            if (e == null || a == null) {
                out.add("'" + path + "': " + (e == null ? "unexpected " + a : "missing, expected " + e));
                continue;
            }
            boolean mtimes = switch (e.type()) {
                case 'd' -> options.directoryMtimes();
                case 'l' -> options.symlinkMtimes();
                default -> true;
            } && e.mtime() != null && a.mtime() != null; // null: a time no unpacker can reproduce (implied dirs)
            Entry a2 = mtimes ? a : new Entry(a.type(), a.mode(), a.uid(), a.gid(), a.size(), a.sha256(), a.target(),
                    a.xattrs(), a.major(), a.minor(), e.mtime(), a.linkGroup());
            if (!Objects.equals(e, a2)) {
                out.add("'" + path + "': expected " + e + "\n      but was " + a);
            }
        }
        return out;
    }
}
