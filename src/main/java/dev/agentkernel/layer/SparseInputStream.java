package dev.agentkernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Expands a sparse file: the archive's data segments at their offsets, zeros in between and after. */
final class SparseInputStream extends InputStream {
    private final InputStream data;
    private final List<long[]> segments;
    private final long size;
    private long position;
    private int segment;

    SparseInputStream(InputStream data, List<long[]> segments, long size) {
        this.data = data;
        this.segments = segments;
        this.size = size;
    }

    /** The segments' bytes, one after another. */
    InputStream data() {
        return data;
    }

    /** The data segments, {offset, length}. */
    List<long[]> segments() {
        return segments;
    }

    /** Bytes read so far (with holes). */
    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= size) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (segment < segments.size() && segments.get(segment)[0] + segments.get(segment)[1] <= position) {
            segment++;
        }
        long holeEnd = segment < segments.size() ? segments.get(segment)[0] : size;
        if (position < holeEnd) {
            int n = (int) Math.min(len, holeEnd - position);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            position += n;
            return n;
        }
        long[] current = segments.get(segment);
        int want = (int) Math.min(len, current[0] + current[1] - position);
        int n = data.read(b, off, want);
        if (n < 0) {
            throw new java.io.EOFException("sparse data ends early");
        }
        position += n;
        return n;
    }
}
