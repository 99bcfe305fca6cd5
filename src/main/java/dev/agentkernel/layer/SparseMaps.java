package dev.agentkernel.layer;

import dev.agentkernel.errors.Quote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The data segments of sparse files, as {offset, length} pairs, in the four forms GNU tar writes: old GNU
 * ('S' entries, map in the header and extension blocks), PAX 0.0 (repeated offset/numbytes records), PAX 0.1
 * ({@code GNU.sparse.map}) and PAX 1.0 (decimal lines at the start of the data).
 */
final class SparseMaps {
    private static final int BLOCK = 512;
    /** Data segments one sparse file may have (its map is kept in memory while the file is read). */
    static final int MAX_SEGMENTS = 1 << 17;

    private final Function<String, RuntimeException> error;

    /** {@code error} turns a description of the problem into the exception to throw (naming layer and entry). */
    SparseMaps(Function<String, RuntimeException> error) {
        this.error = error;
    }

    /** Old GNU: four entries in the header, then 21 per extension block while the "extended" flag is set. */
    List<long[]> oldGnu(byte[] header, InputStream in, RuntimeException truncated) throws IOException {
        List<long[]> map = new ArrayList<>();
        addEntries(map, header, 386, 4);
        boolean extended = header[482] != 0;
        byte[] block = new byte[BLOCK];
        int blocks = 0;
        while (extended) {
            if (map.size() > MAX_SEGMENTS || ++blocks > MAX_SEGMENTS / 21 + 1) {
                throw error.apply("more than " + MAX_SEGMENTS + " segments in the sparse map");
            }
            if (in.readNBytes(block, 0, BLOCK) != BLOCK) {
                throw truncated;
            }
            addEntries(map, block, 0, 21);
            extended = block[504] != 0;
        }
        return map;
    }

    private void addEntries(List<long[]> map, byte[] b, int offset, int count) {
        for (int i = 0; i < count; i++) {
            int at = offset + i * 24;
            if (b[at] == 0) {
                break;
            }
            try {
                map.add(new long[]{TarNumbers.parse(b, at, 12), TarNumbers.parse(b, at + 12, 12)});
            } catch (NumberFormatException e) {
                throw error.apply("invalid sparse map");
            }
        }
    }

    /** PAX 0.1 ({@code GNU.sparse.map}) or else 0.0 (offset/numbytes records in their order). */
    List<long[]> fromPax(List<Map.Entry<String, byte[]>> records, String map01) {
        List<long[]> map = new ArrayList<>();
        if (map01 != null) {
            String[] parts = map01.isEmpty() ? new String[0] : map01.split(",");
            if (parts.length % 2 != 0) {
                throw error.apply("malformed GNU.sparse.map");
            }
            if (parts.length / 2 > MAX_SEGMENTS) {
                throw error.apply("more than " + MAX_SEGMENTS + " segments in the sparse map");
            }
            for (int i = 0; i < parts.length; i += 2) {
                map.add(new long[]{number(parts[i]), number(parts[i + 1])});
            }
            return map;
        }
        long offset = -1;
        for (Map.Entry<String, byte[]> r : records) {
            if (r.getKey().equals("GNU.sparse.offset")) {
                offset = number(new String(r.getValue(), StandardCharsets.UTF_8));
            } else if (r.getKey().equals("GNU.sparse.numbytes")) {
                if (offset < 0) {
                    throw error.apply("GNU.sparse.numbytes without GNU.sparse.offset");
                }
                map.add(new long[]{offset, number(new String(r.getValue(), StandardCharsets.UTF_8))});
                offset = -1;
            }
        }
        if (map.size() > MAX_SEGMENTS) {
            throw error.apply("more than " + MAX_SEGMENTS + " segments in the sparse map");
        }
        return map;
    }

    /** PAX 1.0: reads the map from the entry's {@code data} (count, then offset/length lines, padded to a block). */
    List<long[]> fromData(InputStream data) throws IOException {
        long[] consumed = {0};
        long count = decimalLine(data, consumed);
        if (count > MAX_SEGMENTS) {
            throw error.apply("more than " + MAX_SEGMENTS + " segments in the sparse map");
        }
        List<long[]> map = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            map.add(new long[]{decimalLine(data, consumed), decimalLine(data, consumed)});
        }
        try {
            data.skipNBytes((BLOCK - consumed[0] % BLOCK) % BLOCK);
        } catch (java.io.EOFException e) {
            throw error.apply("sparse map runs past the entry's data");
        }
        return map;
    }

    private long decimalLine(InputStream data, long[] consumed) throws IOException {
        long value = 0;
        int digits = 0;
        while (true) {
            int c = data.read();
            if (c < 0) {
                throw error.apply("sparse map runs past the entry's data");
            }
            consumed[0]++;
            if (c == '\n') {
                break;
            }
            if (c < '0' || c > '9' || ++digits > 18) {
                throw error.apply("malformed sparse map");
            }
            value = value * 10 + (c - '0');
        }
        if (digits == 0) {
            throw error.apply("malformed sparse map");
        }
        return value;
    }

    /** Checks that segments are ordered, disjoint and inside {@code realSize}; returns the bytes they hold. */
    long dataBytes(List<long[]> map, long realSize) {
        long end = 0;
        long data = 0;
        for (long[] segment : map) {
            if (segment[0] < end || segment[1] < 0 || segment[1] > realSize - segment[0]) { // no overflow
                throw error.apply("invalid sparse map");
            }
            end = segment[0] + segment[1];
            data += segment[1];
        }
        return data;
    }

    private long number(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw error.apply("invalid number " + Quote.text(text) + " in a sparse map");
        }
    }
}
