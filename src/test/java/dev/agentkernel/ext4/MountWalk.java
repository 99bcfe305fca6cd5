package dev.agentkernel.ext4;

import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Describes a mounted tree the way {@link TreeModel#expectedWalk} predicts it, through the kernel. */
final class MountWalk {
    private MountWalk() {
    }

    /** Asserts two walks are equal, reporting only the entries that differ. */
    static void assertSame(Map<String, String> actual, Map<String, String> expected) {
        StringBuilder diff = new StringBuilder();
        java.util.Set<String> keys = new java.util.TreeSet<>(actual.keySet());
        keys.addAll(expected.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(actual.get(k), expected.get(k))) {
                diff.append("\n").append(k).append("\n  expected: ").append(expected.get(k))
                        .append("\n  actual:   ").append(actual.get(k));
            }
        }
        if (diff.length() > 0) {
            throw new AssertionError("mounted tree differs from the input:" + diff);
        }
    }

    static String description(String kind, int mode, int uid, int gid, Timestamp mtime, Timestamp atime,
                              Timestamp ctime, int nlink, String xattrs) {
        return kind + " mode=" + Integer.toOctalString(mode) + " owner=" + uid + ":" + gid + " mtime=" + time(mtime)
                + " atime=" + time(atime) + " ctime=" + time(ctime) + " nlink=" + nlink + " xattrs=" + xattrs;
    }

    private static String time(Timestamp t) {
        return t.seconds() + "." + t.nanos();
    }

    static String hexXattrs(Map<String, byte[]> xattrs) {
        Map<String, String> sorted = new TreeMap<>();
        xattrs.forEach((k, v) -> sorted.put(k, HexFormat.of().formatHex(v)));
        return sorted.toString();
    }

    /** Walks the mounted tree: relative path to description (the root itself is "", lost+found included). */
    static Map<String, String> walk(Path root) throws IOException {
        Map<String, Map<String, byte[]>> xattrs = readXattrs(root);
        Map<String, String> result = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = s.toList();
        }
        for (Path p : paths) {
            String rel = root.relativize(p).toString();
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String kind;
            if (Files.isSymbolicLink(p)) {
                kind = "symlink -> " + Files.readSymbolicLink(p);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                kind = "dir";
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                kind = "file size=" + Files.size(p) + " sha256=" + sha256(p);
            } else if ((mode & 0170000) == 0010000) {
                kind = "fifo";
            } else if ((mode & 0170000) == 0140000) {
                kind = "socket";
            } else {
                long rdev = (Long) a.get("rdev");
                long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
                long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
                kind = ((mode & 0170000) == 0060000 ? "blockdev " : "chardev ") + major + ":" + minor;
            }
            result.put(rel, description(kind, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    toTimestamp((FileTime) a.get("lastModifiedTime")), toTimestamp((FileTime) a.get("lastAccessTime")),
                    toTimestamp((FileTime) a.get("ctime")), (Integer) a.get("nlink"),
                    hexXattrs(xattrs.getOrDefault(rel, Map.of()))));
        }
        return result;
    }

    /** Hard-link groups in the mounted tree: paths sharing an inode (non-directories with nlink > 1). */
    static List<List<String>> hardLinkGroups(Path root) throws IOException {
        Map<Long, List<String>> byInode = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
                    long ino = (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                    byInode.computeIfAbsent(ino, k -> new ArrayList<>()).add(root.relativize(p).toString());
                }
            }
        }
        List<List<String>> groups = new ArrayList<>();
        for (List<String> g : byInode.values()) {
            g.sort(null);
            groups.add(g);
        }
        groups.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return groups;
    }

    private static Timestamp toTimestamp(FileTime t) {
        java.time.Instant i = t.toInstant();
        return new Timestamp(i.getEpochSecond(), i.getNano());
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All xattrs (every namespace) through getfattr, which reads them with the kernel's own calls. */
    private static Map<String, Map<String, byte[]>> readXattrs(Path root) {
        Path getfattr = RequiredTools.require("getfattr");
        Tools.Result r = Tools.run(List.of(getfattr.toString(), "-R", "-P", "-h", "-d", "-m", "-", "-e", "hex",
                "--absolute-names", root.toString()), 300);
        Map<String, Map<String, byte[]>> result = new TreeMap<>();
        String current = null;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("# file: ")) {
                current = root.relativize(Path.of(line.substring(8))).toString();
            } else if (current != null && line.contains("=0x")) {
                int eq = line.indexOf("=0x");
                result.computeIfAbsent(current, k -> new TreeMap<>())
                        .put(line.substring(0, eq), HexFormat.of().parseHex(line.substring(eq + 3)));
            } else if (current != null && line.endsWith("=")) {
                result.computeIfAbsent(current, k -> new TreeMap<>()).put(line.substring(0, line.length() - 1),
                        new byte[0]);
            }
        }
        return result;
    }
}
