package dev.agentkernel.agent;

import java.util.Set;

/**
 * What is at a guest path, symlinks followed (the agent's {@code stat}, docs/PROTOCOL.md): nothing
 * ({@link #exists} false), or the {@code kind} of what the path leads to ({@code file}, {@code dir},
 * {@code symlink} when it dangles, {@code fifo}, {@code char}, {@code block}, {@code socket}), whether the path
 * itself is a symlink, the permission bits, owner and mtime, and its canonical path ({@code real}, null when
 * it dangles). Every field is checked as it is read: the guest is not trusted.
 */
public record GuestStat(boolean exists, String kind, boolean link, int mode, long uid, long gid, long mtimeSeconds,
                        int mtimeNanos, long size, String real) {
    private static final Set<String> KINDS = Set.of("file", "dir", "symlink", "fifo", "char", "block", "socket");
    static final GuestStat ABSENT = new GuestStat(false, null, false, 0, 0, 0, 0, 0, 0, null);

    public boolean isDirectory() {
        return exists && "dir".equals(kind);
    }

    static GuestStat fromWire(WireObject o) {
        if (!o.bool("exists")) {
            return ABSENT;
        }
        String kind = o.string("kind");
        if (!KINDS.contains(kind)) {
            throw AgentProtocolException.field(o.what(), "kind", "is not a kind of file",
                    com.fasterxml.jackson.databind.node.TextNode.valueOf(kind));
        }
        String real = o.optString("real");
        if (real != null && (!real.startsWith("/") || real.length() > CopyPaths.MAX_PATH_BYTES)) {
            throw AgentProtocolException.field(o.what(), "real", "is not an absolute path of at most "
                    + CopyPaths.MAX_PATH_BYTES + " characters", null);
        }
        return new GuestStat(true, kind, o.optBoolean("link", false), (int) o.integer("mode", 0, 07777),
                o.integer("uid", 0, CopyEntry.MAX_ID), o.integer("gid", 0, CopyEntry.MAX_ID),
                o.integer("mtime", -CopyEntry.MAX_MTIME, CopyEntry.MAX_MTIME),
                (int) o.optInteger("mtime_nsec", 0, 999_999_999, 0), o.optInteger("size", 0, CopyEntry.MAX_SIZE, 0),
                real);
    }
}
