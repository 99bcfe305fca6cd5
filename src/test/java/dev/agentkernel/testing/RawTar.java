package dev.agentkernel.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar archives header block by header block, with every field under the test's control: odd header
 * sequences (two PAX headers in a row, an extended header at the very end), fields no writer library would
 * produce (text in numeric fields, base-256 numbers, stray bytes) and deliberately broken ones. The other
 * fixture writer, {@link TarLayerBuilder}, only writes what Commons Compress considers valid.
 *
 * <pre>{@code
 * byte[] tar = new RawTar().pax(Map.of("path", "first")).pax(Map.of("mtime", "1")).file("name", "x").end();
 * }</pre>
 */
public final class RawTar {
    public static final int BLOCK = 512;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final java.util.List<Integer> headerOffsets = new java.util.ArrayList<>();

    /** A header block being filled in; {@link #write} computes its checksum and appends it. */
    public final class Header {
        private final byte[] block = new byte[BLOCK];
        private boolean checksum = true;

        private Header(String name, char type) {
            text(0, 100, name);
            octal(100, 8, type == '2' ? 0777 : 0644);
            octal(108, 8, 0);
            octal(116, 8, 0);
            octal(124, 12, 0);
            octal(136, 12, 1_700_000_000L);
            block[156] = (byte) type;
            ustar();
        }

        public Header ustar() {
            put(257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(263, "00".getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** The old GNU magic, "ustar  \0": atime, ctime and the sparse map where ustar has its prefix. */
        public Header gnu() {
            put(257, "ustar  \0".getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** No magic at all: a pre-POSIX (v7) header. */
        public Header v7() {
            Arrays.fill(block, 257, 265, (byte) 0);
            return this;
        }

        public Header mode(int mode) {
            return octal(100, 8, mode);
        }

        public Header owner(int uid, int gid) {
            octal(108, 8, uid);
            return octal(116, 8, gid);
        }

        public Header size(long size) {
            return octal(124, 12, size);
        }

        public Header mtime(long seconds) {
            return octal(136, 12, seconds);
        }

        public Header link(String target) {
            return text(157, 100, target);
        }

        public Header device(int major, int minor) {
            octal(329, 8, major);
            return octal(337, 8, minor);
        }

        public Header prefix(String prefix) {
            return text(345, 155, prefix);
        }

        /** A NUL-padded text field; what does not fit is cut off (as a careless writer would). */
        public Header text(int offset, int length, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            Arrays.fill(block, offset, offset + length, (byte) 0);
            System.arraycopy(bytes, 0, block, offset, Math.min(length, bytes.length));
            return this;
        }

        /** An octal field, zero-padded and NUL-terminated as GNU tar writes it; base-256 where it does not fit. */
        public Header octal(int offset, int length, long value) {
            String digits = Long.toOctalString(value);
            if (value < 0 || digits.length() > length - 1) {
                return base256(offset, length, value);
            }
            return text(offset, length, "0".repeat(length - 1 - digits.length()) + digits);
        }

        /** A GNU base-256 field: the high bit of the first byte set, the value big-endian in the rest. */
        public Header base256(int offset, int length, long value) {
            for (int i = length - 1; i >= 1; i--) {
                block[offset + i] = (byte) value;
                value >>= 8;
            }
            block[offset] = (byte) (0x80 | (value < 0 ? 0x7f : value & 0x7f));
            return this;
        }

        /** Raw bytes at {@code offset}, whatever the field. */
        public Header put(int offset, byte[] bytes) {
            System.arraycopy(bytes, 0, block, offset, bytes.length);
            return this;
        }

        /** Leaves the checksum field as the test set it (for corrupt headers). */
        public Header noChecksum() {
            checksum = false;
            return this;
        }

        /** The header block (checksum filled in), without appending it. */
        public byte[] bytes() {
            if (checksum) {
                Arrays.fill(block, 148, 156, (byte) ' ');
                long sum = 0;
                for (byte b : block) {
                    sum += b & 0xff;
                }
                String digits = String.format("%06o", sum);
                put(148, (digits + "\0 ").getBytes(StandardCharsets.US_ASCII));
            }
            return block.clone();
        }

        /** Appends the header and {@code data} (padded to whole blocks) to the archive. */
        public RawTar write(byte[] data) {
            headerOffsets.add(out.size());
            out.writeBytes(bytes());
            out.writeBytes(data);
            out.writeBytes(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
            return RawTar.this;
        }

        public RawTar write() {
            return write(new byte[0]);
        }
    }

    /** A header to fill in; nothing is appended until its {@code write}. */
    public Header header(String name, char type) {
        return new Header(name, type);
    }

    public RawTar file(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return header(name, '0').size(bytes.length).write(bytes);
    }

    public RawTar dir(String name) {
        return header(name.endsWith("/") ? name : name + "/", '5').mode(0755).write();
    }

    public RawTar symlink(String name, String target, int mode) {
        return header(name, '2').link(target).mode(mode).write();
    }

    /** A PAX extended header ('x') for the next entry, records in the given order. */
    public RawTar pax(Map<String, String> records) {
        return extended('x', records);
    }

    /** A PAX global header ('g'). */
    public RawTar globalPax(Map<String, String> records) {
        return extended('g', records);
    }

    private RawTar extended(char type, Map<String, String> records) {
        Map<String, byte[]> raw = new LinkedHashMap<>();
        records.forEach((k, v) -> raw.put(k, v.getBytes(StandardCharsets.UTF_8)));
        byte[] data = paxData(raw);
        return header("PaxHeaders/entry", type).size(data.length).write(data);
    }

    /** A GNU long name ('L') or long link name ('K') for the next entry. */
    public RawTar gnuLong(char type, String value) {
        byte[] data = (value + "\0").getBytes(StandardCharsets.UTF_8);
        return header("././@LongLink", type).gnu().size(data.length).write(data);
    }

    /** Where each header written with {@link Header#write} starts, in order. */
    public java.util.List<Integer> headerOffsets() {
        return java.util.List.copyOf(headerOffsets);
    }

    /** Recomputes the checksum of the header block at {@code offset} of {@code tar}, after a test changed it. */
    public static void fixChecksum(byte[] tar, int offset) {
        java.util.Arrays.fill(tar, offset + 148, offset + 156, (byte) ' ');
        long sum = 0;
        for (int i = offset; i < offset + BLOCK; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] digits = (String.format("%06o", sum & 0777777) + "\0 ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, tar, offset + 148, 8);
    }

    /** Raw bytes appended as they are (a truncated block, garbage). */
    public RawTar raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** The archive with its two zero blocks of end-of-archive. */
    public byte[] end() {
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    /** The archive as written so far, without end-of-archive blocks. */
    public byte[] unterminated() {
        return out.toByteArray();
    }

    /** The data of a PAX header: {@code "<len> key=value\n"} records in order. */
    public static byte[] paxData(Map<String, byte[]> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        records.forEach((k, v) -> data.writeBytes(TarLayerBuilder.paxRecord(k, v)));
        return data.toByteArray();
    }
}
