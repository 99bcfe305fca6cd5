package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a tar stream entry by entry: ustar, GNU (long names and link names, base-256 numbers, old sparse
 * files) and PAX (long names, big numbers, nanosecond times, {@code SCHILY.xattr.*}, GNU sparse 0.0, 0.1 and
 * 1.0). Written here rather than taken from Commons Compress because Commons Compress decodes PAX values as
 * UTF-8, which corrupts binary xattr values such as {@code security.capability}.
 *
 * <p>Every structural problem (bad checksum, truncation, malformed record) is an {@link ImageException}
 * naming the layer and the entry; the stream is never silently cut short.
 */
final class TarReader {
    private static final int BLOCK = 512;
    /** Extended header bytes (PAX, GNU long names) one entry may have, all of its headers together. */
    static final long MAX_ENTRY_METADATA = 8L << 20;
    /** PAX records one entry may have (GNU sparse 0.0 takes two per data segment). */
    static final int MAX_PAX_RECORDS = 2 * SparseMaps.MAX_SEGMENTS + 4096;
    /** Bytes of global PAX records (keys and values) a layer may set, and how many keys. */
    static final long MAX_GLOBAL_PAX_BYTES = 1L << 20;
    static final int MAX_GLOBAL_PAX_KEYS = 1024;
    /** Metadata a layer's entries keep in memory until the layers are merged (names, link targets, xattrs). */
    static final long MAX_LAYER_METADATA = 256L << 20;
    /** Bytes a layer's entry keeps in memory besides its names and xattrs (an estimate, for the bound above). */
    private static final int ENTRY_OVERHEAD = 128;
    /** The largest file content there is room for: an ext4 file holds at most 16 TiB. */
    static final long MAX_FILE_SIZE = 1L << 44;

    private final InputStream in;
    private final String layerName;
    private final byte[] block = new byte[BLOCK];
    private final byte[] scratch = new byte[1 << 16];
    private final Map<String, byte[]> globalPax = new LinkedHashMap<>();
    private long remaining;
    private long padding;
    private boolean finished;
    private String currentName = "(start of archive)";
    private long entryMetadata; // extended header bytes read for the entry to come
    private long layerMetadata; // bytes the entries of this layer returned so far keep
    private long globalPaxBytes;
    private InputStream currentContent = InputStream.nullInputStream();

    TarReader(InputStream in, String layerName) {
        this.in = in;
        this.layerName = layerName;
    }

    /** The next entry, or {@code null} at the end of the archive. Skips what was left of the previous one. */
    TarHeader next() throws IOException {
        skipRest();
        if (finished) {
            return null;
        }
        List<Map.Entry<String, byte[]>> pax = List.of();
        byte[] longName = null;
        byte[] longLink = null;
        entryMetadata = 0;
        while (true) {
            if (!readHeaderBlock()) {
                // An extended header with no entry after it describes nothing: GNU tar and Go's archive/tar
                // (umoci, containerd) end the archive there without a complaint, and so does this reader.
                finished = true;
                return null;
            }
            char type = (char) (block[156] & 0xff);
            long size = number(124, 12, "size");
            if (size < 0) {
                throw corrupt("negative size in tar header");
            }
            switch (type) {
                // A second extended header replaces the first, as in GNU tar, bsdtar and Go's archive/tar.
                case 'x', 'X' -> pax = PaxRecords.parse(readData(size), MAX_PAX_RECORDS, this::corrupt);
                case 'g' -> addGlobalPax(PaxRecords.parse(readData(size), MAX_PAX_RECORDS, this::corrupt));
                case 'L' -> longName = readData(size);
                case 'K' -> longLink = readData(size);
                case 'V' -> skipData(size);
                case 'M', 'N' -> throw corrupt("multi-volume tar archives are not supported");
                default -> {
                    return entry(type, size, pax, longName, longLink);
                }
            }
        }
    }

    private void addGlobalPax(List<Map.Entry<String, byte[]>> records) {
        for (Map.Entry<String, byte[]> e : records) {
            byte[] old = globalPax.put(e.getKey(), e.getValue());
            globalPaxBytes += e.getKey().length() + e.getValue().length
                    - (old == null ? 0 : e.getKey().length() + old.length);
        }
        if (globalPaxBytes > MAX_GLOBAL_PAX_BYTES || globalPax.size() > MAX_GLOBAL_PAX_KEYS) {
            throw corrupt("the global PAX headers after " + Quote.name(currentName) + " set more than "
                    + MAX_GLOBAL_PAX_KEYS + " keys or " + (MAX_GLOBAL_PAX_BYTES >> 20) + " MiB");
        }
    }

    /** Counts what a returned entry keeps in memory, against {@link #MAX_LAYER_METADATA}. */
    private TarHeader kept(TarHeader h) {
        long bytes = ENTRY_OVERHEAD + 2L * h.name().length() + 2L * h.linkName().length();
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            bytes += 2L * x.getKey().length() + x.getValue().length + 64;
        }
        layerMetadata += bytes;
        if (layerMetadata > MAX_LAYER_METADATA) {
            throw corrupt("the entries up to " + Quote.name(h.name()) + " hold more than "
                    + (MAX_LAYER_METADATA >> 20) + " MiB of names and attributes, more than a layer may have");
        }
        return h;
    }

    /** The current entry's content: {@link TarHeader#size()} bytes (holes of sparse files read as zeros). */
    InputStream content() {
        return currentContent;
    }

    private TarHeader entry(char rawType, long archiveSize, List<Map.Entry<String, byte[]>> localPax,
                            byte[] longName, byte[] longLink) throws IOException {
        Map<String, byte[]> pax = effectivePax(localPax);
        boolean posix = matches(257, "ustar\0");
        boolean gnu = matches(257, "ustar ");
        OldGnuTimes gnuTimes = gnu ? oldGnuTimes() : OldGnuTimes.NONE;
        String name = text(pax, "path");
        if (name == null) {
            name = longName != null ? cString(longName, 0, longName.length) : headerName(posix);
            if (!gnuTimes.prefix().isEmpty() && longName == null) {
                name = gnuTimes.prefix() + "/" + name;
            }
        }
        currentName = name;
        String linkName = text(pax, "linkpath");
        if (linkName == null) {
            linkName = longLink != null ? cString(longLink, 0, longLink.length) : cString(block, 157, 100);
        }
        char type = normalType(rawType, name);
        long size = paxNumber(pax, "size", archiveSize);
        if (size < 0) {
            throw corrupt("negative PAX size of " + Quote.name(name));
        }
        if (type == '0' && size > MAX_FILE_SIZE) {
            throw tooLarge(size);
        }
        Instant mtime = paxTime(pax, "mtime", instant(number(136, 12, "mtime"), "mtime"));
        Instant gnuAtime = gnuTimes.atime() != 0 ? instant(gnuTimes.atime(), "atime") : mtime;
        Instant atime = paxTime(pax, "atime", gnuAtime);
        int mode = (int) (number(100, 8, "mode") & 07777);
        int uid = id(paxNumber(pax, "uid", number(108, 8, "uid")), "uid");
        int gid = id(paxNumber(pax, "gid", number(116, 8, "gid")), "gid");
        int major = posix || gnu ? id(number(329, 8, "devmajor"), "device major number") : 0;
        int minor = posix || gnu ? id(number(337, 8, "devminor"), "device minor number") : 0;

        boolean headerOnly = "123456".indexOf(rawType) >= 0;
        remaining = headerOnly ? 0 : size;
        padding = headerOnly ? 0 : (BLOCK - size % BLOCK) % BLOCK;
        Map<String, byte[]> xattrs = pax.isEmpty() ? Map.of() : xattrs(pax);
        if (rawType == 'S' || isPaxSparse(pax)) {
            return sparseEntry(rawType, name, type, size, mode, uid, gid, mtime, atime, linkName, major, minor,
                    xattrs, pax, localPax);
        }
        currentContent = type == '0' ? new EntryStream() : InputStream.nullInputStream();
        return kept(new TarHeader(name, type, mode, uid, gid, type == '0' ? size : 0, mtime, atime, linkName,
                major, minor, xattrs, null));
    }

    /**
     * The global PAX records overridden by this entry's. Most entries have neither: then no map is built, which
     * keeps the per-entry path (and the code the JIT compiles for it) small.
     */
    private Map<String, byte[]> effectivePax(List<Map.Entry<String, byte[]>> localPax) {
        if (localPax.isEmpty()) {
            return globalPax.isEmpty() ? Map.of() : globalPax;
        }
        Map<String, byte[]> pax = new LinkedHashMap<>(globalPax);
        for (Map.Entry<String, byte[]> e : localPax) {
            if (e.getValue().length == 0) {
                pax.remove(e.getKey()); // an empty value cancels a global one
            } else {
                pax.put(e.getKey(), e.getValue());
            }
        }
        return pax;
    }

    /**
     * The old GNU header's atime, and the text to take as a name prefix instead. Go before 1.8 wrote a ustar
     * prefix into these fields of GNU headers; Go's reader (and so umoci, containerd, Docker) then reads them as
     * that prefix when they are not numbers and the bytes are ASCII, and this reader does the same. GNU tar and
     * bsdtar ignore the fields (and would extract the entry without the prefix).
     */
    private record OldGnuTimes(long atime, String prefix) {
        static final OldGnuTimes NONE = new OldGnuTimes(0, "");
    }

    private OldGnuTimes oldGnuTimes() {
        try {
            long atime = block[345] != 0 ? TarNumbers.parse(block, 345, 12) : 0;
            if (block[357] != 0) {
                TarNumbers.parse(block, 357, 12); // ctime: not kept, but a non-number here means a prefix too
            }
            return new OldGnuTimes(atime, "");
        } catch (NumberFormatException e) {
            String prefix = cString(block, 345, 155);
            return new OldGnuTimes(0, prefix.chars().allMatch(c -> c < 0x80) ? prefix : "");
        }
    }

    private Instant instant(long seconds, String field) {
        try {
            return Instant.ofEpochSecond(seconds);
        } catch (java.time.DateTimeException e) {
            throw corrupt("the " + field + " of " + Quote.name(currentName) + " (" + seconds
                    + " seconds from 1970) is out of range");
        }
    }

    /** A numeric owner or device number: ext4 stores 32 bits, kept in an int as unsigned. */
    private int id(long value, String field) {
        if (value < 0 || value > 0xffffffffL) {
            throw corrupt("the " + field + " " + value + " of " + Quote.name(currentName) + " is out of range");
        }
        return (int) value;
    }

    private static boolean isPaxSparse(Map<String, byte[]> pax) {
        return !pax.isEmpty() && (pax.containsKey("GNU.sparse.major") || pax.containsKey("GNU.sparse.map")
                || pax.containsKey("GNU.sparse.offset") || pax.containsKey("GNU.sparse.size"));
    }

    /** A sparse regular file, old GNU ('S') or PAX (GNU.sparse.* formats 0.0, 0.1 and 1.0). */
    private TarHeader sparseEntry(char rawType, String name, char type, long size, int mode, int uid, int gid,
                                  Instant mtime, Instant atime, String linkName, int major, int minor,
                                  Map<String, byte[]> xattrs, Map<String, byte[]> pax,
                                  List<Map.Entry<String, byte[]>> localPax) throws IOException {
        SparseMaps sparseMaps = new SparseMaps(problem -> corrupt(problem + " of " + Quote.name(currentName)));
        List<long[]> sparse;
        long realSize;
        if (rawType == 'S') {
            realSize = checkedRealSize(number(483, 12, "realsize"));
            sparse = sparseMaps.oldGnu(block, in, truncated());
        } else {
            String sparseName = text(pax, "GNU.sparse.name");
            if (sparseName != null) {
                name = sparseName;
                currentName = name;
            }
            realSize = checkedRealSize(paxNumber(pax, "GNU.sparse.realsize", paxNumber(pax, "GNU.sparse.size", size)));
            sparse = "1".equals(text(pax, "GNU.sparse.major")) ? sparseMaps.fromData(new EntryStream())
                    : sparseMaps.fromPax(localPax, text(pax, "GNU.sparse.map"));
        }
        long dataBytes = sparseMaps.dataBytes(sparse, realSize);
        if (dataBytes != remaining) {
            throw corrupt("sparse map of " + Quote.name(name) + " covers " + dataBytes + " bytes but the entry holds "
                    + remaining);
        }
        currentContent = new SparseInputStream(new EntryStream(), sparse, realSize);
        return kept(new TarHeader(name, type, mode, uid, gid, type == '0' ? realSize : 0, mtime, atime, linkName,
                major, minor, xattrs, sparse));
    }

    private String headerName(boolean posix) {
        String name = cString(block, 0, 100);
        if (posix) {
            String prefix = cString(block, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static char normalType(char rawType, String name) {
        return switch (rawType) {
            case '0', '7', 'S' -> '0';
            case 0 -> name.endsWith("/") ? '5' : '0';
            case 'D' -> '5';
            case '1', '2', '3', '4', '5', '6' -> rawType;
            default -> '0'; // unknown types are regular files, as POSIX asks of readers
        };
    }

    private Map<String, byte[]> xattrs(Map<String, byte[]> pax) {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("SCHILY.xattr.")) {
                xattrs.put(key.substring("SCHILY.xattr.".length()), e.getValue());
            } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                try {
                    String name = java.net.URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()),
                            StandardCharsets.UTF_8);
                    xattrs.put(name, Base64.getMimeDecoder().decode(e.getValue()));
                } catch (IllegalArgumentException malformed) {
                    throw corrupt("the record " + Quote.name(key) + " of " + Quote.name(currentName)
                            + " is not a URL-encoded name with a base64 value");
                }
            }
        }
        return xattrs;
    }

    // ---- low-level reading

    /** Reads a header block; false at the end of the archive (a zero block, or a clean end of stream). */
    private boolean readHeaderBlock() throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false; // no end-of-archive blocks: accepted, as Go's archive/tar does
        }
        if (n < BLOCK) {
            throw truncated();
        }
        boolean zero = true;
        for (byte b : block) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return false;
        }
        long stored;
        try {
            stored = TarNumbers.parse(block, 148, 8);
        } catch (NumberFormatException e) {
            stored = -1;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt("invalid tar header checksum after " + Quote.name(currentName) + " (not a tar archive, or corrupt)");
        }
        return true;
    }

    private long checkedRealSize(long realSize) {
        if (realSize < 0) {
            throw corrupt("negative size of the sparse file " + Quote.name(currentName));
        }
        if (realSize > MAX_FILE_SIZE) {
            throw tooLarge(realSize);
        }
        return realSize;
    }

    private ImageException tooLarge(long size) {
        return corrupt(Quote.name(currentName) + " declares " + size + " bytes, more than a file in an ext4 root"
                + " filesystem can hold (16 TiB)");
    }

    private byte[] readData(long size) throws IOException {
        entryMetadata += size;
        if (entryMetadata > MAX_ENTRY_METADATA) {
            throw corrupt("the extended headers after " + Quote.name(currentName) + " hold more than "
                    + (MAX_ENTRY_METADATA >> 20) + " MiB");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw truncated();
        }
        skipFully((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private void skipData(long size) throws IOException {
        skipFully(size + (BLOCK - size % BLOCK) % BLOCK);
    }

    private void skipRest() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        currentContent = InputStream.nullInputStream();
    }

    /** Skips by reading (never {@code InputStream.skip}), so a verifying stream underneath sees every byte. */
    private void skipFully(long n) throws IOException {
        while (n > 0) {
            int read = in.read(scratch, 0, (int) Math.min(scratch.length, n));
            if (read < 0) {
                throw truncated();
            }
            n -= read;
        }
    }

    private long number(int offset, int length, String field) {
        try {
            return TarNumbers.parse(block, offset, length);
        } catch (NumberFormatException e) {
            throw corrupt("invalid " + field + " field in the tar header after " + Quote.name(currentName));
        }
    }

    private long paxNumber(Map<String, byte[]> pax, String key, long fallback) {
        String value = text(pax, key);
        return value == null ? fallback : parseLong(value);
    }

    private Instant paxTime(Map<String, byte[]> pax, String key, Instant fallback) {
        String value = text(pax, key);
        if (value == null) {
            return fallback;
        }
        try {
            return TarNumbers.paxTime(value);
        } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
            throw corrupt("invalid PAX " + key + " " + Quote.text(value) + " of " + Quote.name(currentName));
        }
    }

    private long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw corrupt("invalid number " + Quote.text(text) + " in the PAX header of " + Quote.name(currentName));
        }
    }

    private static String text(Map<String, byte[]> pax, String key) {
        byte[] value = pax.get(key);
        return value == null ? null : TarNames.decode(value, 0, value.length);
    }

    private boolean matches(int offset, String magic) {
        for (int i = 0; i < magic.length(); i++) {
            if (block[offset + i] != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return TarNames.decode(b, offset, end - offset);
    }

    private ImageException corrupt(String message) {
        return new ImageException(layerName + ": " + message);
    }

    private ImageException truncated() {
        return new ImageException(layerName + ": the tar stream is truncated (in or after " + Quote.name(currentName) + ")");
    }

    /** The data of the current entry, bounded by its size; an early end of stream is a truncation error. */
    private final class EntryStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw truncated();
            }
            remaining -= n;
            return n;
        }
    }
}
