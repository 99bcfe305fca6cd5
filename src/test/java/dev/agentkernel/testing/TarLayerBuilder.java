package dev.agentkernel.testing;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes fixture layers (tar, then gzip or zstd) with Commons Compress. Entries are added in order; modifiers
 * ({@link #mode}, {@link #owner}, {@link #mtime}, {@link #xattr}) apply to the entry added last.
 *
 * <pre>{@code
 * byte[] tar = new TarLayerBuilder().dir("etc").file("etc/passwd", "root:x:0:0").mode(0600)
 *         .whiteout("etc/shadow").opaque("var/cache").tar();
 * }</pre>
 *
 * Raw PAX records ({@link #xattr} with binary values, {@link #mtime} with nanoseconds) are written as an
 * extended header of their own, byte for byte, so binary {@code security.capability} values survive.
 */
public final class TarLayerBuilder {
    /** How long names and big numbers are written: PAX headers (as Go and Docker do) or GNU/star extensions. */
    public enum Format { PAX, GNU }

    public static final Instant DEFAULT_MTIME = Instant.parse("2024-01-02T03:04:05Z");

    private final List<Item> items = new ArrayList<>();
    private Format format = Format.PAX;

    private static final class Item {
        final TarArchiveEntry entry;
        final byte[] content;
        final Map<String, byte[]> rawPax = new LinkedHashMap<>();

        Item(TarArchiveEntry entry, byte[] content) {
            this.entry = entry;
            this.content = content;
        }
    }

    public TarLayerBuilder format(Format format) {
        this.format = format;
        return this;
    }

    public TarLayerBuilder dir(String path) {
        return dir(path, 0755);
    }

    public TarLayerBuilder dir(String path, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(path.endsWith("/") ? path : path + "/", TarConstants.LF_DIR);
        return add(e, new byte[0]).mode(mode);
    }

    public TarLayerBuilder file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public TarLayerBuilder file(String path, byte[] content) {
        TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_NORMAL);
        e.setSize(content.length);
        return add(e, content).mode(0644);
    }

    public TarLayerBuilder symlink(String path, String target) {
        TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return add(e, new byte[0]).mode(0777);
    }

    public TarLayerBuilder hardlink(String path, String target) {
        TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_LINK);
        e.setLinkName(target);
        return add(e, new byte[0]).mode(0644);
    }

    /** A {@code .wh.NAME} whiteout that deletes {@code path} from the layers below. */
    public TarLayerBuilder whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String wh = path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(wh, new byte[0]);
    }

    /** A {@code .wh..wh..opq} marker that hides everything the layers below put in {@code dir}. */
    public TarLayerBuilder opaque(String dir) {
        return file(dir.isEmpty() ? ".wh..wh..opq" : dir + "/.wh..wh..opq", new byte[0]);
    }

    public TarLayerBuilder charDevice(String path, int major, int minor) {
        return device(path, TarConstants.LF_CHR, major, minor);
    }

    public TarLayerBuilder blockDevice(String path, int major, int minor) {
        return device(path, TarConstants.LF_BLK, major, minor);
    }

    public TarLayerBuilder fifo(String path) {
        return add(new TarArchiveEntry(path, TarConstants.LF_FIFO), new byte[0]).mode(0644);
    }

    private TarLayerBuilder device(String path, byte type, int major, int minor) {
        TarArchiveEntry e = new TarArchiveEntry(path, type);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, new byte[0]).mode(0666);
    }

    /** Adds an entry prepared by the caller (any type flag, odd fields). */
    public TarLayerBuilder entry(TarArchiveEntry entry, byte[] content) {
        return add(entry, content);
    }

    private TarLayerBuilder add(TarArchiveEntry e, byte[] content) {
        e.setModTime(Date.from(DEFAULT_MTIME));
        e.setUserId(0);
        e.setGroupId(0);
        items.add(new Item(e, content));
        return this;
    }

    private Item last() {
        if (items.isEmpty()) {
            throw new IllegalStateException("add an entry first");
        }
        return items.get(items.size() - 1);
    }

    public TarLayerBuilder mode(int mode) {
        last().entry.setMode(mode);
        return this;
    }

    public TarLayerBuilder owner(long uid, long gid) {
        last().entry.setUserId(uid);
        last().entry.setGroupId(gid);
        return this;
    }

    /** The modification time; sub-second parts go into a PAX {@code mtime} record. */
    public TarLayerBuilder mtime(Instant mtime) {
        last().entry.setModTime(Date.from(Instant.ofEpochSecond(mtime.getEpochSecond())));
        if (mtime.getNano() != 0) {
            last().rawPax.put("mtime", String.format("%d.%09d", mtime.getEpochSecond(), mtime.getNano())
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return this;
    }

    /** An extended attribute as a raw {@code SCHILY.xattr.NAME} PAX record (binary values kept exactly). */
    public TarLayerBuilder xattr(String name, byte[] value) {
        last().rawPax.put("SCHILY.xattr." + name, value);
        return this;
    }

    public TarLayerBuilder xattr(String name, String value) {
        return xattr(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The uncompressed tar. */
    public byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(format == Format.PAX ? TarArchiveOutputStream.LONGFILE_POSIX
                    : TarArchiveOutputStream.LONGFILE_GNU);
            out.setBigNumberMode(format == Format.PAX ? TarArchiveOutputStream.BIGNUMBER_POSIX
                    : TarArchiveOutputStream.BIGNUMBER_STAR);
            out.setAddPaxHeadersForNonAsciiNames(true);
            for (Item item : items) {
                if (!item.rawPax.isEmpty()) {
                    writeRawPax(out, item);
                }
                out.putArchiveEntry(item.entry);
                out.write(item.content);
                out.closeArchiveEntry();
            }
            out.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public byte[] gzip() {
        return gzip(tar());
    }

    public byte[] zstd() {
        return zstd(tar());
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] zstd(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdOutputStream out = new ZstdOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeRawPax(TarArchiveOutputStream out, Item item) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : item.rawPax.entrySet()) {
            records.write(paxRecord(r.getKey(), r.getValue()));
        }
        byte[] data = records.toByteArray();
        TarArchiveEntry header = new TarArchiveEntry("PaxHeaders/" + item.entry.getName().replace("/", "_"),
                TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        header.setSize(data.length);
        header.setModTime(Date.from(DEFAULT_MTIME));
        out.putArchiveEntry(header);
        out.write(data);
        out.closeArchiveEntry();
    }

    /** {@code "<len> key=value\n"} where len counts the whole record, its own digits included. */
    static byte[] paxRecord(String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int base = keyBytes.length + value.length + 3;
        int length = base + Integer.toString(base).length();
        if (Integer.toString(length).length() != Integer.toString(base).length()) {
            length = base + Integer.toString(length).length();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(keyBytes);
        out.write('=');
        out.writeBytes(value);
        out.write('\n');
        return out.toByteArray();
    }
}
