package dev.agentkernel.rootfs;

import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.OciLayoutWriter.Layer;
import dev.agentkernel.testing.RawTar;
import dev.agentkernel.testing.TarLayerBuilder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes malformed images for the fuzz suite, reproducibly: case {@code n} of seed {@code s} is always the same
 * image. Each case starts from a random but valid layer (every entry kind the reader knows: PAX and GNU long
 * names, xattrs, hard links, devices, whiteouts, sparse files in three formats) and applies one mutation
 * {@link Kind}: bit flips, header fields set to odd values, PAX records and GNU extensions from a vocabulary of
 * edge cases, broken sparse maps, structural damage, wrong digests, bombs of size, depth, count and metadata,
 * damaged compression, and stacks of two layers that contradict each other.
 */
final class MalformedLayerGenerator {
    enum Kind { VALID, BIT_FLIP, HEADER_FIELD, PAX_RECORD, GNU_EXTENSION, SPARSE_MAP, STRUCTURE, DIGEST, BOMB,
        COMPRESSION, LAYER_STACK }

    /** What a case does after the layout is written: nothing, or damage a blob so its digest no longer matches. */
    enum AfterWrite { NONE, CORRUPT_FIRST_BLOB }

    record Case(long seed, int index, Kind kind, String detail, List<Layer> layers, AfterWrite after) {
        @Override
        public String toString() {
            return "seed " + seed + " case " + index + " (" + kind + ": " + detail + ")";
        }
    }

    private final long seed;

    MalformedLayerGenerator(long seed) {
        this.seed = seed;
    }

    Case generate(int index) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
        Kind kind = Kind.values()[index % Kind.values().length];
        StringBuilder detail = new StringBuilder();
        Built base = baseLayer(r, detail);
        byte[] tar = base.tar;
        List<Layer> layers;
        AfterWrite after = AfterWrite.NONE;
        switch (kind) {
            case VALID -> layers = List.of(gzip(r, tar));
            case BIT_FLIP -> layers = List.of(layer(r, bitFlips(r, base, detail)));
            case HEADER_FIELD -> layers = List.of(layer(r, headerField(r, base, detail)));
            case PAX_RECORD -> layers = List.of(layer(r, paxRecords(r, base, detail)));
            case GNU_EXTENSION -> layers = List.of(layer(r, gnuExtension(r, base, detail)));
            case SPARSE_MAP -> layers = List.of(layer(r, sparseMap(r, base, detail)));
            case STRUCTURE -> layers = List.of(layer(r, structure(r, base, detail)));
            case DIGEST -> {
                if (r.nextBoolean()) {
                    detail.append("diff_id of another tar");
                    byte[] other = tar.clone();
                    other[other.length - 1] ^= 1;
                    Layer real = gzip(r, tar);
                    layers = List.of(new Layer(real.blob(), real.mediaType(), other));
                } else {
                    detail.append("blob changed after its digest was taken");
                    layers = List.of(gzip(r, tar));
                    after = AfterWrite.CORRUPT_FIRST_BLOB;
                }
            }
            case BOMB -> layers = List.of(layer(r, bomb(r, detail)));
            case COMPRESSION -> layers = List.of(compression(r, tar, detail));
            case LAYER_STACK -> layers = layerStack(r, tar, detail);
            default -> throw new IllegalStateException();
        }
        return new Case(seed, index, kind, detail.toString(), layers, after);
    }

    // ---- the valid base layer

    private record Built(byte[] tar, List<Integer> headers) {
    }

    private static final String[] NAMES = {"etc", "usr", "bin", "lib", "var", "opt", "a", "b", "c", "dir", "file",
            "x.so", "caf\u00e9", "spa ce", ".hidden", "very-long-name-".repeat(8), "..x", "-"};

    private static String randomPath(SplittableRandom r, int maxDepth) {
        int depth = 1 + r.nextInt(maxDepth);
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                p.append('/');
            }
            p.append(NAMES[r.nextInt(NAMES.length)]);
        }
        // a header's name field holds 100 bytes (longer names go through PAX or GNU headers, made separately)
        return p.toString().getBytes(StandardCharsets.UTF_8).length > 90 ? "long" + r.nextInt(1000) : p.toString();
    }

    private static Built baseLayer(SplittableRandom r, StringBuilder detail) {
        RawTar t = new RawTar();
        int entries = 1 + r.nextInt(14);
        List<String> files = new ArrayList<>();
        t.dir("etc");
        if (r.nextInt(4) == 0) {
            t.globalPax(Map.of("comment", "global " + r.nextInt(100)));
        }
        for (int i = 0; i < entries; i++) {
            String path = randomPath(r, 4) + i;
            switch (r.nextInt(12)) {
                case 0 -> t.dir(path);
                case 1 -> t.symlink(path, r.nextBoolean() ? "/" + randomPath(r, 3) : "../" + randomPath(r, 2), 0777);
                case 2 -> {
                    if (!files.isEmpty()) {
                        t.header(path, '1').link(files.get(r.nextInt(files.size()))).write();
                    } else {
                        t.file(path, "first");
                        files.add(path);
                    }
                }
                case 3 -> t.header(path, r.nextBoolean() ? '3' : '4').device(r.nextInt(300), r.nextInt(300)).write();
                case 4 -> t.header(path, '6').write();
                case 5 -> {
                    Map<String, String> pax = new LinkedHashMap<>();
                    pax.put("path", path + "/" + "long-".repeat(40) + i);
                    pax.put("mtime", (1_600_000_000L + r.nextInt(1000)) + "." + r.nextInt(1_000_000_000));
                    pax.put("SCHILY.xattr.user.k" + i, "v".repeat(r.nextInt(200)));
                    t.pax(pax);
                    t.file("ignored-" + i, "pax file " + i);
                }
                case 6 -> {
                    t.gnuLong('L', path + "/" + "gnu-".repeat(40) + i);
                    t.header("ignored-gnu-" + i, '0').gnu().size(3).write("gnu".getBytes(StandardCharsets.US_ASCII));
                }
                case 7 -> sparse(t, r, path, r.nextInt(3));
                case 8 -> {
                    String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "";
                    t.file(parent + (r.nextBoolean() ? ".wh..wh..opq" : ".wh." + NAMES[r.nextInt(NAMES.length)]), "");
                }
                default -> {
                    byte[] content = new byte[r.nextInt(3) == 0 ? r.nextInt(70_000) : r.nextInt(600)];
                    for (int b = 0; b < content.length; b++) {
                        content[b] = (byte) (r.nextInt(4) == 0 ? 0 : 'a' + r.nextInt(26));
                    }
                    t.header(path, '0').mode(r.nextInt(07777 + 1)).owner(r.nextInt(70_000), r.nextInt(70_000))
                            .mtime(r.nextLong(1L << 33)).size(content.length).write(content);
                    files.add(path);
                }
            }
        }
        detail.append(entries).append(" entries; ");
        return new Built(t.end(), t.headerOffsets());
    }

    /** A sparse file: PAX 0.1 (format 0), PAX 1.0 (format 1) or old GNU 'S' (format 2). */
    private static void sparse(RawTar t, SplittableRandom r, String path, int format) {
        long size = 1 + r.nextLong(1L << (10 + r.nextInt(30)));
        List<long[]> map = new ArrayList<>();
        long at = r.nextLong(Math.max(1, size / 2));
        while (at < size && map.size() < 6) {
            long length = Math.min(size - at, 1 + r.nextInt(3000));
            map.add(new long[]{at, length});
            at += length + r.nextLong(Math.max(1, size / 4));
        }
        byte[] data = new byte[(int) map.stream().mapToLong(s -> s[1]).sum()];
        Arrays.fill(data, (byte) 's');
        sparseEntry(t, path, size, map, data, format);
    }

    static void sparseEntry(RawTar t, String path, long size, List<long[]> map, byte[] data, int format) {
        StringBuilder text = new StringBuilder();
        for (long[] s : map) {
            text.append(text.length() == 0 ? "" : ",").append(s[0]).append(',').append(s[1]);
        }
        switch (format) {
            case 0 -> {
                Map<String, String> pax = new LinkedHashMap<>();
                pax.put("GNU.sparse.major", "0");
                pax.put("GNU.sparse.minor", "1");
                pax.put("GNU.sparse.name", path);
                pax.put("GNU.sparse.realsize", Long.toString(size));
                pax.put("GNU.sparse.map", text.toString());
                t.pax(pax);
                t.header("GNUSparseFile.0/x", '0').size(data.length).write(data);
            }
            case 1 -> {
                Map<String, String> pax = new LinkedHashMap<>();
                pax.put("GNU.sparse.major", "1");
                pax.put("GNU.sparse.minor", "0");
                pax.put("GNU.sparse.name", path);
                pax.put("GNU.sparse.realsize", Long.toString(size));
                t.pax(pax);
                StringBuilder lines = new StringBuilder().append(map.size()).append('\n');
                for (long[] s : map) {
                    lines.append(s[0]).append('\n').append(s[1]).append('\n');
                }
                byte[] head = lines.toString().getBytes(StandardCharsets.US_ASCII);
                byte[] padded = Arrays.copyOf(head, (head.length + 511) / 512 * 512 + data.length);
                System.arraycopy(data, 0, padded, (head.length + 511) / 512 * 512, data.length);
                t.header("GNUSparseFile.0/x", '0').size(padded.length).write(padded);
            }
            default -> {
                if (path.getBytes(StandardCharsets.UTF_8).length > 100) {
                    path = "sparse";
                }
                RawTar.Header h = t.header(path, 'S').gnu().size(data.length);
                if (size < (1L << 33)) {
                    h.octal(483, 12, size);
                } else {
                    h.base256(483, 12, size);
                }
                for (int i = 0; i < Math.min(4, map.size()); i++) {
                    h.octal(386 + i * 24, 12, map.get(i)[0]).octal(398 + i * 24, 12, map.get(i)[1]);
                }
                if (map.size() <= 4) {
                    h.write(data);
                    return;
                }
                h.put(482, new byte[]{1});
                byte[] ext = new byte[512];
                for (int i = 4; i < map.size() && i < 25; i++) {
                    writeOctal(ext, (i - 4) * 24, map.get(i)[0]);
                    writeOctal(ext, (i - 4) * 24 + 12, map.get(i)[1]);
                }
                byte[] headerBlock = h.bytes();
                t.raw(headerBlock).raw(ext).raw(Arrays.copyOf(data, (data.length + 511) / 512 * 512));
            }
        }
    }

    /** A 12-byte number field of a sparse extension block: octal, or base-256 where 11 digits do not hold it. */
    private static void writeOctal(byte[] b, int offset, long value) {
        if (value >= 0 && value < (1L << 33)) {
            System.arraycopy(String.format("%011o", value).getBytes(StandardCharsets.US_ASCII), 0, b, offset, 11);
            return;
        }
        for (int i = 11; i >= 1; i--) {
            b[offset + i] = (byte) value;
            value >>= 8;
        }
        b[offset] = (byte) 0x80;
    }

    // ---- mutations

    private static byte[] bitFlips(SplittableRandom r, Built base, StringBuilder detail) {
        byte[] tar = base.tar.clone();
        int flips = 1 + r.nextInt(8);
        boolean inHeader = r.nextBoolean() && !base.headers.isEmpty();
        int header = inHeader ? base.headers.get(r.nextInt(base.headers.size())) : -1;
        for (int i = 0; i < flips; i++) {
            int at = inHeader ? header + r.nextInt(512) : r.nextInt(tar.length);
            tar[at] ^= (byte) (1 << r.nextInt(8));
        }
        if (inHeader && r.nextBoolean()) {
            RawTar.fixChecksum(tar, header);
            detail.append(flips).append(" bits of a header, checksum fixed");
        } else {
            detail.append(flips).append(inHeader ? " bits of a header" : " bits anywhere");
        }
        return tar;
    }

    private record Field(String name, int offset, int length) {
    }

    private static final Field[] FIELDS = {new Field("name", 0, 100), new Field("mode", 100, 8),
            new Field("uid", 108, 8), new Field("gid", 116, 8), new Field("size", 124, 12),
            new Field("mtime", 136, 12), new Field("type", 156, 1), new Field("linkname", 157, 100),
            new Field("magic", 257, 8), new Field("devmajor", 329, 8), new Field("devminor", 337, 8),
            new Field("prefix/atime", 345, 12), new Field("prefix/ctime", 357, 12), new Field("prefix", 345, 155),
            new Field("realsize", 483, 12), new Field("isextended", 482, 1)};

    private static byte[] headerField(SplittableRandom r, Built base, StringBuilder detail) {
        byte[] tar = base.tar.clone();
        int header = base.headers.get(r.nextInt(base.headers.size()));
        Field f = FIELDS[r.nextInt(FIELDS.length)];
        byte[] value = fieldValue(r, f, detail);
        Arrays.fill(tar, header + f.offset, header + f.offset + f.length, (byte) 0);
        System.arraycopy(value, 0, tar, header + f.offset, Math.min(value.length, f.length));
        RawTar.fixChecksum(tar, header);
        detail.append(" in ").append(f.name);
        return tar;
    }

    private static byte[] fieldValue(SplittableRandom r, Field f, StringBuilder detail) {
        if (f.length == 1) {
            byte[] types = "0123456789ADgxXLKSVMNIZ\0\u00ff".getBytes(StandardCharsets.ISO_8859_1);
            byte b = types[r.nextInt(types.length)];
            detail.append("byte ").append(b & 0xff);
            return new byte[]{b};
        }
        switch (r.nextInt(9)) {
            case 0 -> {
                detail.append("largest octal");
                return ("7".repeat(f.length - 1)).getBytes(StandardCharsets.US_ASCII);
            }
            case 1 -> {
                detail.append("base-256 large");
                byte[] b = new byte[f.length];
                b[0] = (byte) 0x80;
                for (int i = 1; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
                return b;
            }
            case 2 -> {
                detail.append("base-256 negative");
                byte[] b = new byte[f.length];
                Arrays.fill(b, (byte) 0xff);
                b[b.length - 1] = (byte) r.nextInt(256);
                return b;
            }
            case 3 -> {
                detail.append("text");
                return "not a number at all, no".getBytes(StandardCharsets.US_ASCII);
            }
            case 4 -> {
                detail.append("spaces");
                byte[] b = new byte[f.length];
                Arrays.fill(b, (byte) ' ');
                return b;
            }
            case 5 -> {
                detail.append("0xff bytes");
                byte[] b = new byte[f.length];
                Arrays.fill(b, (byte) 0xff);
                return b;
            }
            case 6 -> {
                detail.append("control characters");
                return "\u001b[31m\u0007\u0001x/../..".getBytes(StandardCharsets.US_ASCII);
            }
            case 7 -> {
                detail.append("empty");
                return new byte[0];
            }
            default -> {
                long v = r.nextLong(1L << 40);
                detail.append("octal ").append(v);
                String digits = Long.toOctalString(v);
                return digits.length() < f.length ? digits.getBytes(StandardCharsets.US_ASCII)
                        : "1".getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private static final String[][] PAX_VOCABULARY = {
            {"path", "../escape"}, {"path", "/"}, {"path", ""}, {"path", "a/\u0000/b"}, {"path", "./././"},
            {"path", "x/".repeat(3000) + "deep"}, {"path", "n".repeat(300)}, {"path", "\u001b]0;title\u0007"},
            {"linkpath", "../../../etc/passwd"}, {"linkpath", ""}, {"linkpath", "l".repeat(5000)},
            {"size", "-1"}, {"size", "99999999999999999999"}, {"size", "0x10"}, {"size", "12abc"},
            {"size", "17592186044417"}, {"mtime", "-99999999999999"}, {"mtime", "1.5e10"}, {"mtime", "."},
            {"mtime", "12.345678901234567890"}, {"mtime", "-0.000000001"}, {"atime", "NaN"},
            {"uid", "4294967296"}, {"uid", "-5"}, {"gid", "18446744073709551615"}, {"uid", " 12 "},
            {"GNU.sparse.major", "1"}, {"GNU.sparse.map", "1,2,3"}, {"GNU.sparse.map", "0,10,5,10"},
            {"GNU.sparse.realsize", "-7"}, {"GNU.sparse.size", "1"}, {"GNU.sparse.offset", "5"},
            {"GNU.sparse.numbytes", "6"}, {"GNU.sparse.name", "../sparse"}, {"SCHILY.xattr.", "empty name"},
            {"SCHILY.xattr.user.big", "v".repeat(70_000)}, {"SCHILY.xattr.trusted.overlay.opaque", "y"},
            {"LIBARCHIVE.xattr.user%00x", "!!not base64!!"}, {"LIBARCHIVE.xattr.user.ok", "aGVsbG8="},
            {"SCHILY.xattr.security.capability", "\u0001\u0002"}, {"comment", "c".repeat(100_000)},
            {"", "no key"}, {"=", "="}, {"hdrcharset", "BINARY"}, {"SCHILY.xattr.system.posix_acl_access", "junk"}};

    private static byte[] paxRecords(SplittableRandom r, Built base, StringBuilder detail) {
        Map<String, String> records = new LinkedHashMap<>();
        int count = 1 + r.nextInt(3);
        for (int i = 0; i < count; i++) {
            String[] kv = PAX_VOCABULARY[r.nextInt(PAX_VOCABULARY.length)];
            records.put(kv[0], kv[1]);
            detail.append(kv[0]).append('=').append(kv[1].length() > 20 ? kv[1].substring(0, 20) + "…" : kv[1])
                    .append(' ');
        }
        byte[] ext;
        if (r.nextInt(5) == 0) {
            detail.append("(malformed record length)");
            ext = new RawTar().header("PaxHeaders/bad", r.nextBoolean() ? 'x' : 'g').size(11)
                    .write(("99 a=b\n" + "xyz").getBytes(StandardCharsets.US_ASCII)).unterminated();
        } else {
            RawTar t = new RawTar();
            if (r.nextInt(4) == 0) {
                t.globalPax(records);
            } else {
                t.pax(records);
            }
            ext = t.unterminated();
        }
        return insertBefore(base, r.nextInt(base.headers.size()), ext);
    }

    private static byte[] gnuExtension(SplittableRandom r, Built base, StringBuilder detail) {
        RawTar t = new RawTar();
        switch (r.nextInt(4)) {
            case 0 -> {
                detail.append("long name without NUL");
                byte[] data = "no-terminator".getBytes(StandardCharsets.US_ASCII);
                t.header("././@LongLink", 'L').gnu().size(data.length).write(data);
            }
            case 1 -> {
                detail.append("long link name with '..'");
                t.gnuLong('K', "../../x");
            }
            case 2 -> {
                detail.append("two long names");
                t.gnuLong('L', "first").gnuLong('L', "second/" + "s".repeat(r.nextInt(400)));
            }
            default -> {
                detail.append("volume header and multi-volume");
                t.header("volume", r.nextBoolean() ? 'V' : 'M').size(r.nextInt(1000)).write(new byte[r.nextInt(1000)]);
            }
        }
        return insertBefore(base, r.nextInt(base.headers.size()), t.unterminated());
    }

    private static byte[] sparseMap(SplittableRandom r, Built base, StringBuilder detail) {
        RawTar t = new RawTar();
        long size = r.nextInt(3) == 0 ? r.nextLong(Long.MAX_VALUE) : r.nextLong(1L << 20);
        List<long[]> map = new ArrayList<>();
        int segments = r.nextInt(30);
        for (int i = 0; i < segments; i++) {
            long offset = r.nextInt(4) == 0 ? r.nextLong() : r.nextLong(Math.max(1, size));
            long length = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(2000);
            map.add(new long[]{offset, length});
        }
        long declared = map.stream().mapToLong(s -> Math.max(0, Math.min(s[1], 4000))).sum();
        byte[] data = new byte[(int) (r.nextBoolean() ? declared : r.nextInt(5000))];
        Arrays.fill(data, (byte) 'd');
        int format = r.nextInt(3);
        detail.append(segments).append(" random segments, format ").append(format);
        if (format == 2) {
            for (long[] s : map) { // old GNU fields are octal: no negative numbers
                s[0] = Math.abs(s[0] % (1L << 33));
                s[1] = Math.abs(s[1] % (1L << 33));
            }
            size = Math.abs(size % (1L << 33));
        }
        sparseEntry(t, "sparse-" + r.nextInt(10), size, map, data, format);
        return insertBefore(base, r.nextInt(base.headers.size()), t.unterminated());
    }

    private static byte[] structure(SplittableRandom r, Built base, StringBuilder detail) {
        byte[] tar = base.tar;
        int blocks = tar.length / 512;
        switch (r.nextInt(6)) {
            case 0 -> {
                int at = r.nextInt(tar.length);
                detail.append("truncated at ").append(at);
                return Arrays.copyOf(tar, at);
            }
            case 1 -> {
                int block = r.nextInt(blocks);
                detail.append("block ").append(block).append(" dropped");
                byte[] out = new byte[tar.length - 512];
                System.arraycopy(tar, 0, out, 0, block * 512);
                System.arraycopy(tar, (block + 1) * 512, out, block * 512, tar.length - (block + 1) * 512);
                return out;
            }
            case 2 -> {
                int block = r.nextInt(blocks);
                detail.append("block ").append(block).append(" doubled");
                byte[] out = new byte[tar.length + 512];
                System.arraycopy(tar, 0, out, 0, (block + 1) * 512);
                System.arraycopy(tar, block * 512, out, (block + 1) * 512, tar.length - block * 512);
                return out;
            }
            case 3 -> {
                detail.append("zero blocks in the middle");
                return insertBefore(base, r.nextInt(base.headers.size()), new byte[512 * (1 + r.nextInt(3))]);
            }
            case 4 -> {
                detail.append("garbage after the end");
                byte[] out = Arrays.copyOf(tar, tar.length + 1 + r.nextInt(2000));
                for (int i = tar.length; i < out.length; i++) {
                    out[i] = (byte) r.nextInt(256);
                }
                return out;
            }
            default -> {
                detail.append("not a tar at all");
                byte[] out = new byte[r.nextInt(3000)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) r.nextInt(256);
                }
                return out;
            }
        }
    }

    private static byte[] bomb(SplittableRandom r, StringBuilder detail) {
        RawTar t = new RawTar();
        switch (r.nextInt(6)) {
            case 0 -> {
                long size = 1L << (33 + r.nextInt(30));
                detail.append("size bomb: a file declaring ").append(size).append(" bytes");
                t.header("big", '0').base256(124, 12, size).write(new byte[512]);
            }
            case 1 -> {
                // accepted ones up to 5,000: the time per case grows with the square of the depth (9,100 took 3.7 s
                // quiet and 5.4 s on a loaded machine, over the 5 s bound; MalformedLayersTest converts a 10,000-deep
                // path); one in eight deeper than the 10,000 the converter takes, refused at once
                int depth = r.nextInt(8) == 0 ? 10_001 + r.nextInt(90_000) : 1000 + r.nextInt(4000);
                detail.append("depth bomb: ").append(depth).append(" directories");
                t.pax(Map.of("path", "d/".repeat(depth) + "f")).file("x", "bottom");
            }
            case 2 -> {
                int count = 2000 + r.nextInt(8000);
                detail.append("count bomb: ").append(count).append(" entries");
                for (int i = 0; i < count; i++) {
                    t.header("many/" + i, r.nextBoolean() ? '0' : '6').write();
                }
            }
            case 3 -> {
                int headers = 100 + r.nextInt(400);
                detail.append("metadata bomb: ").append(headers).append(" PAX headers of 30 KB");
                for (int i = 0; i < headers; i++) {
                    t.pax(Map.of("comment", "x".repeat(30_000)));
                }
                t.file("f", "x");
            }
            case 4 -> {
                long size = 1L << (40 + r.nextInt(23));
                detail.append("sparse bomb: ").append(size).append(" apparent bytes");
                sparseEntry(t, "sparse", size, List.of(new long[]{size / 3, 5}), "hello".getBytes(StandardCharsets.US_ASCII),
                        r.nextInt(2));
            }
            default -> {
                int blocks = 3000 + r.nextInt(6000);
                detail.append("sparse extension bomb: ").append(blocks).append(" blocks");
                RawTar.Header h = t.header("sparse", 'S').gnu().size(0).octal(483, 12, 1 << 20);
                h.put(482, new byte[]{1});
                t.raw(h.bytes());
                byte[] empty = new byte[512];
                empty[504] = 1;
                for (int i = 0; i < blocks; i++) {
                    t.raw(empty);
                }
            }
        }
        return t.end();
    }

    private static Layer compression(SplittableRandom r, byte[] tar, StringBuilder detail) {
        byte[] gz = TarLayerBuilder.gzip(tar);
        switch (r.nextInt(5)) {
            case 0 -> {
                detail.append("gzip truncated");
                return new Layer(Arrays.copyOf(gz, r.nextInt(gz.length)), OciLayoutWriter.TAR_GZIP, tar);
            }
            case 1 -> {
                detail.append("gzip byte flipped");
                byte[] bad = gz.clone();
                bad[10 + r.nextInt(bad.length - 10)] ^= (byte) (1 + r.nextInt(255));
                return new Layer(bad, OciLayoutWriter.TAR_GZIP, tar);
            }
            case 2 -> {
                detail.append("zstd truncated");
                byte[] z = TarLayerBuilder.zstd(tar);
                return new Layer(Arrays.copyOf(z, r.nextInt(z.length)), OciLayoutWriter.TAR_ZSTD, tar);
            }
            case 3 -> {
                detail.append("declared gzip, is plain tar");
                return new Layer(tar, OciLayoutWriter.TAR_GZIP, tar);
            }
            default -> {
                detail.append("gzip with trailing garbage");
                byte[] bad = Arrays.copyOf(gz, gz.length + 1 + r.nextInt(100));
                bad[gz.length] = (byte) r.nextInt(256);
                return new Layer(bad, OciLayoutWriter.TAR_GZIP, tar);
            }
        }
    }

    private static List<Layer> layerStack(SplittableRandom r, byte[] base, StringBuilder detail) {
        RawTar upper = new RawTar();
        int entries = 1 + r.nextInt(6);
        for (int i = 0; i < entries; i++) {
            String path = randomPath(r, 3);
            switch (r.nextInt(6)) {
                case 0 -> upper.file(path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) + ".wh."
                        + path.substring(path.lastIndexOf('/') + 1) : ".wh." + path, "");
                case 1 -> upper.header(path, '1').link(randomPath(r, 3)).write();
                case 2 -> upper.symlink(path, r.nextBoolean() ? path : "/" + randomPath(r, 2), 0777);
                case 3 -> upper.file(path + "/under-a-file", "x");
                case 4 -> upper.header(r.nextBoolean() ? "./" : "/", r.nextBoolean() ? '0' : '2').link("x").write();
                default -> upper.dir(path);
            }
        }
        detail.append(entries).append(" upper entries");
        return List.of(gzip(r, base), gzip(r, upper.end()));
    }

    private static byte[] insertBefore(Built base, int headerIndex, byte[] insert) {
        int at = base.headers.get(headerIndex);
        byte[] out = new byte[base.tar.length + insert.length];
        System.arraycopy(base.tar, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(base.tar, at, out, at + insert.length, base.tar.length - at);
        return out;
    }

    private static Layer layer(SplittableRandom r, byte[] tar) {
        return r.nextBoolean() ? Layer.uncompressed(tar) : gzip(r, tar);
    }

    private static Layer gzip(SplittableRandom r, byte[] tar) {
        return r.nextInt(4) == 0 ? Layer.zstd(tar) : Layer.gzip(tar);
    }
}
