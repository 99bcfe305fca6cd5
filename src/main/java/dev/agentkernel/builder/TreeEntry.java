package dev.agentkernel.builder;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of a layer the builder writes: {@code path} relative to the image root, '/'-separated, no leading
 * slash. Whiteouts and opaque markers are entries of their own, written as the OCI image spec's {@code .wh.}
 * files. {@code linkTarget} is a symlink's target or, for a hard link, the path of the entry it links to.
 */
record TreeEntry(String path, Kind kind, int mode, long uid, long gid, long mtimeSeconds, int mtimeNanos, long size,
                 String linkTarget, long devMajor, long devMinor, Map<String, byte[]> xattrs) {
    enum Kind { FILE, DIR, SYMLINK, HARDLINK, CHAR, BLOCK, FIFO, WHITEOUT, OPAQUE }

    TreeEntry {
        xattrs = xattrs == null || xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
    }

    static TreeEntry directory(String path, int mode, long uid, long gid, long mtime) {
        return new TreeEntry(path, Kind.DIR, mode, uid, gid, mtime, 0, 0, null, 0, 0, null);
    }

    static TreeEntry whiteout(String path) {
        return new TreeEntry(path, Kind.WHITEOUT, 0, 0, 0, 0, 0, 0, null, 0, 0, null);
    }

    static TreeEntry opaque(String dir) {
        return new TreeEntry(dir, Kind.OPAQUE, 0, 0, 0, 0, 0, 0, null, 0, 0, null);
    }

    TreeEntry withOwner(long newUid, long newGid) {
        return new TreeEntry(path, kind, mode, newUid, newGid, mtimeSeconds, mtimeNanos, size, linkTarget, devMajor,
                devMinor, xattrs);
    }

    TreeEntry withMode(int newMode) {
        return new TreeEntry(path, kind, newMode, uid, gid, mtimeSeconds, mtimeNanos, size, linkTarget, devMajor,
                devMinor, xattrs);
    }

    TreeEntry withPath(String newPath) {
        return new TreeEntry(newPath, kind, mode, uid, gid, mtimeSeconds, mtimeNanos, size, linkTarget, devMajor,
                devMinor, xattrs);
    }

    TreeEntry withXattrs(Map<String, byte[]> newXattrs) {
        return new TreeEntry(path, kind, mode, uid, gid, mtimeSeconds, mtimeNanos, size, linkTarget, devMajor,
                devMinor, newXattrs);
    }

    /** The name the entry has in a layer tar: whiteouts and opaque markers get their {@code .wh.} names. */
    String tarPath() {
        if (kind == Kind.OPAQUE) {
            return path.isEmpty() ? ".wh..wh..opq" : path + "/.wh..wh..opq";
        }
        if (kind == Kind.WHITEOUT) {
            int slash = path.lastIndexOf('/');
            return path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        }
        return path;
    }
}
