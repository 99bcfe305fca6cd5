package dev.agentkernel.copy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A file's bytes sent in chunks of {@value #CHUNK} bytes through one reused buffer, so a file of any size needs
 * this much memory; blocks of 4 KiB that are all zero are not sent and stay holes at the other end.
 */
final class FileData {
    static final int CHUNK = 256 << 10;
    /** Zero blocks of this size stay holes (a file system block). */
    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[CHUNK];

    private final byte[] buffer = new byte[CHUNK];

    /**
     * Sends up to {@code size} bytes of {@code in}; a stream that ends early leaves the rest a hole (a file that
     * shrank while it was read), bytes past {@code size} are not read (one that grew).
     */
    long send(InputStream in, long size, TreeTarget target) throws IOException {
        long offset = 0;
        long sent = 0;
        while (offset < size) {
            int want = (int) Math.min(CHUNK, size - offset);
            int n = in.readNBytes(buffer, 0, want);
            if (n > 0 && !zero(buffer, 0, n)) {
                sent += sendRuns(offset, n, target);
            }
            offset += n;
            if (n < want) {
                break;
            }
        }
        return sent;
    }

    /** Sends the runs of {@code n} buffered bytes that are not whole zero blocks of {@value #BLOCK}. */
    private long sendRuns(long offset, int n, TreeTarget target) {
        long sent = 0;
        int runStart = -1;
        for (int at = 0; at < n; at += BLOCK) {
            int len = Math.min(BLOCK, n - at);
            boolean zero = zero(buffer, at, len);
            if (!zero && runStart < 0) {
                runStart = at;
            } else if (zero && runStart >= 0) {
                target.data(offset + runStart, buffer, runStart, at - runStart);
                sent += at - runStart;
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            target.data(offset + runStart, buffer, runStart, n - runStart);
            sent += n - runStart;
        }
        return sent;
    }

    static boolean zero(byte[] bytes, int from, int n) {
        return Arrays.mismatch(bytes, from, from + n, ZEROS, 0, n) < 0;
    }
}
