package dev.agentkernel.ext4;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Ownership, permissions, times and extended attributes of an entry. {@code mode} holds the 07777 bits
 * (permissions plus setuid, setgid, sticky); the file type comes from the entry's kind. Extended attributes use
 * full names ({@code security.capability}) and keep insertion order.
 */
public record Metadata(int mode, int uid, int gid, Timestamp atime, Timestamp mtime, Timestamp ctime,
                       Map<String, byte[]> xattrs) {
    public Metadata {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits outside 07777: " + Integer.toOctalString(mode));
        }
        Objects.requireNonNull(atime, "atime");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(ctime, "ctime");
        if (xattrs == null || xattrs.isEmpty()) {
            xattrs = Map.of(); // the common case: no copy per entry
        } else {
            Map<String, byte[]> copy = new LinkedHashMap<>();
            xattrs.forEach((name, value) -> copy.put(Objects.requireNonNull(name), value.clone()));
            xattrs = Collections.unmodifiableMap(copy);
        }
    }

    /** Metadata with one time for atime, mtime and ctime and no extended attributes. */
    public static Metadata of(int mode, int uid, int gid, Timestamp time) {
        return new Metadata(mode, uid, gid, time, time, time, Map.of());
    }

    public Metadata withXattrs(Map<String, byte[]> newXattrs) {
        return new Metadata(mode, uid, gid, atime, mtime, ctime, newXattrs);
    }
}
