package dev.agentkernel.copy;

import dev.agentkernel.agent.EntryKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/** A host file's own attributes (a symlink's, not its target's), as the unix attribute view gives them. */
record HostAttributes(EntryKind kind, int mode, long uid, long gid, Instant mtime, long size, long dev, long ino,
                      int nlink, long rdevMajor, long rdevMinor) {
    private static final int S_IFMT = 0170000;

    /** The attributes of {@code path}; null for a socket, which no copy carries. */
    static HostAttributes of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid,gid,lastModifiedTime,size,dev,ino,nlink,rdev",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        EntryKind kind = switch (mode & S_IFMT) {
            case 0100000 -> EntryKind.FILE;
            case 0040000 -> EntryKind.DIR;
            case 0120000 -> EntryKind.SYMLINK;
            case 0010000 -> EntryKind.FIFO;
            case 0020000 -> EntryKind.CHAR;
            case 0060000 -> EntryKind.BLOCK;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        long rdev = (Long) a.get("rdev");
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return new HostAttributes(kind, mode & 07777, ((Integer) a.get("uid")) & 0xFFFFFFFFL,
                ((Integer) a.get("gid")) & 0xFFFFFFFFL, ((FileTime) a.get("lastModifiedTime")).toInstant(),
                kind == EntryKind.FILE ? (Long) a.get("size") : 0, (Long) a.get("dev"), (Long) a.get("ino"),
                (Integer) a.get("nlink"), kind == EntryKind.CHAR || kind == EntryKind.BLOCK ? major & 0xFFFFFFFFL : 0,
                kind == EntryKind.CHAR || kind == EntryKind.BLOCK ? minor & 0xFFFFFFFFL : 0);
    }
}
