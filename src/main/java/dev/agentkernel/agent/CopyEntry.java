package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of a copy (docs/PROTOCOL.md): {@code path} relative to the copy's root ({@link CopyPaths}),
 * {@code mode} the permission bits with setuid, setgid and sticky, {@code size} a file's length (0 for others),
 * {@code target} a symlink's target or, for a hard link, the path of the earlier entry it links to,
 * {@code rdevMajor}/{@code rdevMinor} a device's numbers.
 */
public record CopyEntry(String path, EntryKind kind, int mode, long uid, long gid, long mtimeSeconds,
                        int mtimeNanos, long size, String target, long rdevMajor, long rdevMinor) {
    /** The agent's bound on mtimes: about 35,000 years either side of 1970. */
    public static final long MAX_MTIME = 1L << 40;
    /** The agent's bound on a file's size. */
    public static final long MAX_SIZE = 1L << 62;
    public static final long MAX_ID = 0xFFFFFFFFL;

    public CopyEntry {
        String problem = CopyPaths.problem(path);
        if (problem != null) {
            throw new IllegalArgumentException("entry path '" + path + "' " + problem);
        }
        if (mode < 0 || mode > 07777 || uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID
                || mtimeSeconds < -MAX_MTIME || mtimeSeconds > MAX_MTIME || mtimeNanos < 0 || mtimeNanos > 999_999_999
                || size < 0 || size > MAX_SIZE || (kind != EntryKind.FILE && size != 0)
                || rdevMajor < 0 || rdevMajor > MAX_ID || rdevMinor < 0 || rdevMinor > MAX_ID) {
            throw new IllegalArgumentException("entry " + path + " has a field out of range");
        }
        boolean needsTarget = kind == EntryKind.SYMLINK || kind == EntryKind.HARDLINK;
        if (needsTarget != (target != null)) {
            throw new IllegalArgumentException("entry " + path + ": only symlinks and hard links have a target");
        }
        if (kind == EntryKind.HARDLINK && (CopyPaths.problem(target) != null || target.equals(CopyPaths.ROOT))) {
            throw new IllegalArgumentException("hard link " + path + " must name an earlier entry, not '" + target + "'");
        }
        if (kind == EntryKind.SYMLINK && (target.isEmpty() || target.indexOf('\0') >= 0
                || target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > CopyPaths.MAX_PATH_BYTES)) {
            throw new IllegalArgumentException("symlink " + path + " has an empty, too long or NUL-holding target");
        }
    }

    /** An entry as the guest sent it, every field checked. */
    static CopyEntry fromWire(WireObject o) {
        String path = o.string("path");
        String problem = CopyPaths.problem(path);
        if (problem != null) {
            throw AgentProtocolException.field(o.what(), "path", problem, com.fasterxml.jackson.databind.node.TextNode
                    .valueOf(path));
        }
        EntryKind kind = EntryKind.of(o.string("kind"), o);
        int mode = (int) o.integer("mode", 0, 07777);
        long uid = o.integer("uid", 0, MAX_ID);
        long gid = o.integer("gid", 0, MAX_ID);
        long mtime = o.integer("mtime", -MAX_MTIME, MAX_MTIME);
        int nsec = (int) o.optInteger("mtime_nsec", 0, 999_999_999, 0);
        long size = kind == EntryKind.FILE ? o.integer("size", 0, MAX_SIZE) : 0;
        String target = kind == EntryKind.SYMLINK || kind == EntryKind.HARDLINK ? o.string("target") : null;
        boolean device = kind == EntryKind.CHAR || kind == EntryKind.BLOCK;
        long major = device ? o.integer("rdev_major", 0, MAX_ID) : 0;
        long minor = device ? o.integer("rdev_minor", 0, MAX_ID) : 0;
        try {
            return new CopyEntry(path, kind, mode, uid, gid, mtime, nsec, size, target, major, minor);
        } catch (IllegalArgumentException e) {
            throw AgentProtocolException.field(o.what(), "target", e.getMessage(), null);
        }
    }

    ObjectNode toWire(long copy) {
        ObjectNode node = Wire.object().put("type", "entry").put("copy", copy).put("path", path)
                .put("kind", kind.wire()).put("mode", mode).put("uid", uid).put("gid", gid).put("mtime", mtimeSeconds)
                .put("mtime_nsec", mtimeNanos);
        if (kind == EntryKind.FILE) {
            node.put("size", size);
        }
        if (target != null) {
            node.put("target", target);
        }
        if (kind == EntryKind.CHAR || kind == EntryKind.BLOCK) {
            node.put("rdev_major", rdevMajor).put("rdev_minor", rdevMinor);
        }
        return node;
    }
}
