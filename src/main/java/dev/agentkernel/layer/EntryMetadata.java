package dev.agentkernel.layer;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The inode metadata a tar entry carries.
 *
 * @param mode   permission bits including setuid, setgid and sticky (07777), without the file type
 * @param uid    numeric owner (user names in the tar are ignored, as container runtimes do)
 * @param gid    numeric group
 * @param mtime  modification time, with nanoseconds when a PAX header gave them
 * @param atime  access time from a PAX or GNU header, else equal to {@code mtime}
 * @param xattrs extended attributes by full name ("security.capability"), raw values, in tar order
 */
public record EntryMetadata(int mode, int uid, int gid, Instant mtime, Instant atime, Map<String, byte[]> xattrs) {
    /** Metadata of a directory no entry described (an implied parent): 0755, root, the epoch. */
    public static final EntryMetadata IMPLIED_DIRECTORY =
            new EntryMetadata(0755, 0, 0, Instant.EPOCH, Instant.EPOCH, Map.of());

    public EntryMetadata {
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(atime, "atime");
        xattrs = xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(xattrs));
    }
}
