package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tar entry reduced to what flattening needs, with its path cleaned and whiteouts recognised. Memory per
 * entry is small and independent of the file's size.
 *
 * @param layer   the layer's position in manifest order (0 = base)
 * @param ordinal the entry's position in its layer's tar, to find its content again when re-reading
 * @param path    cleaned path ("" for the root); for a whiteout the path it hides, for an opaque marker its dir
 * @param link    symlink target as written, or the cleaned path a hard link names
 */
record LayerEntry(int layer, int ordinal, Kind kind, String path, EntryMetadata metadata, long size, String link,
                  int major, int minor) {
    enum Kind { DIRECTORY, REGULAR, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, WHITEOUT, OPAQUE }

    /** The longest file name Linux and ext4 take, in bytes. */
    static final int NAME_MAX = 255;
    /**
     * The deepest an entry may be nested. The converter's work grows with the square of the depth (each stage
     * keys entries by their whole path): 10,000 takes a few seconds, while a 200 KB layer could otherwise ask
     * for 100,000 and minutes. No program can open such a path by name anyway (PATH_MAX is 4,096 bytes).
     */
    static final int MAX_DEPTH = 10_000;
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_MARKER = ".wh..wh..opq";

    /** Bookkeeping xattrs of overlay file systems and rootless tools, which must not reach the image. */
    static boolean droppedXattr(String name) {
        return name.startsWith("trusted.overlay.") || name.equals("user.rootlesscontainers");
    }

    /** The entry for a tar header, or {@code null} for entries that carry nothing (aufs metadata). */
    static LayerEntry of(TarHeader h, int layer, int ordinal, String layerName) {
        String path = clean(h.name(), layerName, h.name());
        if (path.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) || path.contains("/" + WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
            if (!baseName(path).equals(OPAQUE_MARKER)) {
                return null; // aufs metadata (.wh..wh.plnk/..., .wh..wh.aufs): not part of the file system
            }
        }
        String base = baseName(path);
        if (base.startsWith(WHITEOUT_PREFIX)) {
            String parent = parentOf(path);
            if (base.equals(OPAQUE_MARKER)) {
                return new LayerEntry(layer, ordinal, Kind.OPAQUE, parent, EntryMetadata.IMPLIED_DIRECTORY, 0, null, 0, 0);
            }
            String hidden = base.substring(WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw new ImageException(layerName + " has an invalid whiteout entry " + Quote.name(h.name()));
            }
            return new LayerEntry(layer, ordinal, Kind.WHITEOUT, join(parent, hidden),
                    EntryMetadata.IMPLIED_DIRECTORY, 0, null, 0, 0);
        }
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        h.xattrs().forEach((name, value) -> {
            if (!droppedXattr(name)) {
                xattrs.put(name, value);
            }
        });
        EntryMetadata metadata = new EntryMetadata(h.mode(), h.uid(), h.gid(), h.mtime(), h.atime(), xattrs);
        return switch (h.type()) {
            case '5' -> new LayerEntry(layer, ordinal, Kind.DIRECTORY, path, metadata, 0, null, 0, 0);
            // every unpacker (and the kernel's symlink(2)) gives a symlink 0777, whatever the header says
            case '2' -> new LayerEntry(layer, ordinal, Kind.SYMLINK, path, new EntryMetadata(0777, h.uid(), h.gid(),
                    h.mtime(), h.atime(), xattrs), 0, h.linkName(), 0, 0);
            case '1' -> new LayerEntry(layer, ordinal, Kind.HARDLINK, path, metadata, 0,
                    clean(h.linkName(), layerName, h.name()), 0, 0);
            case '3' -> new LayerEntry(layer, ordinal, Kind.CHAR_DEVICE, path, metadata, 0, null,
                    h.devMajor(), h.devMinor());
            case '4' -> new LayerEntry(layer, ordinal, Kind.BLOCK_DEVICE, path, metadata, 0, null,
                    h.devMajor(), h.devMinor());
            case '6' -> new LayerEntry(layer, ordinal, Kind.FIFO, path, metadata, 0, null, 0, 0);
            default -> new LayerEntry(layer, ordinal, Kind.REGULAR, path, metadata, h.size(), null, 0, 0);
        };
    }

    boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    /**
     * The path relative to the root: leading '/' and './' dropped, '.' and '..' resolved lexically. A path
     * that climbs above the root is an error naming the layer and the entry.
     */
    static String clean(String name, String layerName, String entryName) {
        String[] parts = name.split("/");
        String[] stack = new String[parts.length];
        int depth = 0;
        if (name.indexOf('\0') >= 0) {
            throw new ImageException(layerName + " has an entry with a NUL byte in its name: " + Quote.name(entryName));
        }
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.length() > NAME_MAX && RawNamesLength.of(part) > NAME_MAX) {
                throw new ImageException(layerName + " has an entry with a name longer than " + NAME_MAX
                        + " bytes: " + Quote.name(entryName));
            }
            if (part.equals("..")) {
                if (depth == 0) {
                    throw new ImageException(layerName + " has an entry that escapes the root directory: "
                            + Quote.name(entryName) + (entryName.equals(name) ? "" : " (link to " + Quote.name(name) + ")"));
                }
                depth--;
                continue;
            }
            if (depth > MAX_DEPTH) { // MAX_DEPTH directories, then the entry itself
                throw new ImageException(layerName + " has an entry nested deeper than " + MAX_DEPTH
                        + " directories: " + Quote.name(entryName));
            }
            stack[depth++] = part;
        }
        return String.join("/", java.util.Arrays.asList(stack).subList(0, depth));
    }

    /** The bytes a name has in the image: UTF-8, except the U+DC80..U+DCFF escapes of raw bytes (one byte each). */
    private static final class RawNamesLength {
        static int of(String name) {
            int bytes = 0;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x80 || (c >= 0xDC80 && c <= 0xDCFF)) {
                    bytes += 1;
                } else if (c < 0x800) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c)) {
                    bytes += 4;
                    i++;
                } else {
                    bytes += 3;
                }
            }
            return bytes;
        }
    }

    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }
}
