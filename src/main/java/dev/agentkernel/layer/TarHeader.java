package dev.agentkernel.layer;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One tar entry as the archive describes it, with PAX, GNU long-name and sparse extensions already applied.
 *
 * @param name      the path as written (not yet cleaned)
 * @param type      the type flag, normalised: '0' regular (also for '7', NUL and sparse), '1' hard link,
 *                  '2' symlink, '3' char device, '4' block device, '5' directory, '6' fifo
 * @param mode      permission bits (07777)
 * @param size      bytes of file content once sparse holes are filled in (0 for non-regular entries)
 * @param linkName  symlink or hard link target, as written
 * @param xattrs    extended attributes from {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} records
 * @param sparse    for sparse files the data segments as {offset, length} pairs, else {@code null}
 */
record TarHeader(String name, char type, int mode, int uid, int gid, long size, Instant mtime, Instant atime,
                 String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs, List<long[]> sparse) {
}
