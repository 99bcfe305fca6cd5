package dev.agentkernel.builder;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.store.BlobStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Reads back a layer the builder wrote (a cached step's), as entries with their content in a spool file: what
 * the file system state and the build VM need when a later step is not cached. Only the tar forms
 * {@link TarWriter} produces are expected (ustar with PAX headers), and the blob is the store's, verified when
 * it was written; sizes are still bounded by what the blob holds.
 */
final class LayerReader implements AutoCloseable {
    private final Path spoolFile;
    private final FileChannel spool;
    private final List<PlannedEntry> entries = new ArrayList<>();
    private final Map<String, byte[]> small = new LinkedHashMap<>();

    private LayerReader(Path spoolFile) throws IOException {
        this.spoolFile = spoolFile;
        this.spool = FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    static LayerReader read(BlobStore blobs, LayerBlob layer) {
        Path file = blobs.scratchDirectory().resolve("read-" + dev.agentkernel.store.TemporaryFiles.ownerTag() + "-"
                + UUID.randomUUID());
        LayerReader reader = null;
        try {
            reader = new LayerReader(file);
            try (InputStream in = new BufferedInputStream(new GZIPInputStream(blobs.open(layer.digest()), 1 << 16),
                    1 << 16)) {
                reader.parse(in);
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            if (reader != null) {
                reader.close();
            }
            throw new StoreException("cannot read layer " + layer.digest() + ": " + e.getMessage(), e);
        }
    }

    List<PlannedEntry> entries() {
        return entries;
    }

    /** The content of a small file of the layer (under 64 KiB), for the state's kept files. */
    byte[] small(String path) {
        return small.get(path);
    }

    private void parse(InputStream in) throws IOException {
        Map<String, String> pax = new LinkedHashMap<>();
        long spoolEnd = 0;
        byte[] h = new byte[512];
        while (true) {
            if (in.readNBytes(h, 0, 512) < 512) {
                throw new IOException("the tar ends without its end blocks");
            }
            if (allZero(h)) {
                return;
            }
            char type = (char) h[156];
            long size = octal(h, 124, 12);
            if (type == 'x') {
                pax = parsePax(in.readNBytes((int) size));
                skipPad(in, size);
                continue;
            }
            String name = pax.getOrDefault("path", string(h, 345, 155).isEmpty() ? string(h, 0, 100)
                    : string(h, 345, 155) + "/" + string(h, 0, 100));
            String link = pax.getOrDefault("linkpath", string(h, 157, 100));
            if (pax.containsKey("size")) {
                size = Long.parseLong(pax.get("size"));
            }
            int mode = (int) octal(h, 100, 8);
            long uid = pax.containsKey("uid") ? Long.parseLong(pax.get("uid")) : octal(h, 108, 8);
            long gid = pax.containsKey("gid") ? Long.parseLong(pax.get("gid")) : octal(h, 116, 8);
            long mtime = octal(h, 136, 12);
            int nanos = 0;
            if (pax.containsKey("mtime")) {
                String m = pax.get("mtime");
                int dot = m.indexOf('.');
                mtime = Long.parseLong(dot < 0 ? m : m.substring(0, dot));
                nanos = dot < 0 ? 0 : Integer.parseInt((m.substring(dot + 1) + "000000000").substring(0, 9));
            }
            Map<String, byte[]> xattrs = new LinkedHashMap<>();
            for (Map.Entry<String, String> p : pax.entrySet()) {
                if (p.getKey().startsWith("SCHILY.xattr.")) {
                    xattrs.put(p.getKey().substring(13), p.getValue().getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            pax = new LinkedHashMap<>();
            String path = name.startsWith("./") ? name.substring(2) : name;
            if (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            int slash = path.lastIndexOf('/');
            String base = path.substring(slash + 1);
            String dir = slash < 0 ? "" : path.substring(0, slash);
            TreeEntry entry;
            if (base.equals(".wh..wh..opq")) {
                entry = TreeEntry.opaque(dir);
            } else if (base.startsWith(".wh.")) {
                entry = TreeEntry.whiteout(CopyPlanner.join(dir, base.substring(4)));
            } else {
                TreeEntry.Kind kind = switch (type) {
                    case '0', '\0', '7' -> TreeEntry.Kind.FILE;
                    case '5' -> TreeEntry.Kind.DIR;
                    case '2' -> TreeEntry.Kind.SYMLINK;
                    case '1' -> TreeEntry.Kind.HARDLINK;
                    case '3' -> TreeEntry.Kind.CHAR;
                    case '4' -> TreeEntry.Kind.BLOCK;
                    case '6' -> TreeEntry.Kind.FIFO;
                    default -> throw new IOException("unexpected tar entry type '" + type + "' for " + name);
                };
                boolean linked = kind == TreeEntry.Kind.SYMLINK || kind == TreeEntry.Kind.HARDLINK;
                entry = new TreeEntry(path, kind, mode, uid, gid, mtime, nanos, kind == TreeEntry.Kind.FILE ? size : 0,
                        linked ? link : null, octal(h, 329, 8), octal(h, 337, 8), xattrs);
            }
            if (entry.kind() == TreeEntry.Kind.FILE && size > 0) {
                long at = spoolEnd;
                long left = size;
                byte[] buf = new byte[1 << 16];
                java.io.ByteArrayOutputStream keep = size <= 65536 ? new java.io.ByteArrayOutputStream() : null;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException(name + " is cut short");
                    }
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    long pos = at + (size - left);
                    while (bb.hasRemaining()) {
                        pos += spool.write(bb, pos);
                    }
                    if (keep != null) {
                        keep.write(buf, 0, n);
                    }
                    left -= n;
                }
                skipPad(in, size);
                spoolEnd += size;
                if (keep != null) {
                    small.put(path, keep.toByteArray());
                }
                entries.add(new PlannedEntry(entry, region(at, size)));
            } else {
                entries.add(PlannedEntry.of(entry));
            }
        }
    }

    private PlannedEntry.Content region(long offset, long length) {
        return () -> new InputStream() {
            private long pos = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= offset + length) {
                    return -1;
                }
                int n = spool.read(ByteBuffer.wrap(b, off, (int) Math.min(len, offset + length - pos)), pos);
                if (n > 0) {
                    pos += n;
                }
                return n;
            }
        };
    }

    private static Map<String, String> parsePax(byte[] body) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < body.length) {
            int space = i;
            while (space < body.length && body[space] != ' ') {
                space++;
            }
            int len = Integer.parseInt(new String(body, i, space - i, StandardCharsets.US_ASCII));
            int eq = space;
            while (eq < i + len && body[eq] != '=') {
                eq++;
            }
            String key = new String(body, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(body, eq + 1, i + len - 1);
            out.put(key, new String(value, key.startsWith("SCHILY.xattr.") ? StandardCharsets.ISO_8859_1
                    : StandardCharsets.UTF_8));
            i += len;
        }
        return out;
    }

    private static void skipPad(InputStream in, long size) throws IOException {
        long rest = size % 512;
        if (rest != 0) {
            in.skipNBytes(512 - rest);
        }
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int len) {
        String s = string(h, at, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    @Override
    public void close() {
        try {
            spool.close();
            Files.deleteIfExists(spoolFile);
        } catch (IOException ignored) {
            // swept later
        }
    }
}
