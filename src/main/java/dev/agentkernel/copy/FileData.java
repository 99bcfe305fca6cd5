package dev.agentkernel.copy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A file's bytes sent in chunks of {@value #CHUNK} bytes through one reused buffer, so a file of any size needs
 * this much memory; chunks that are all zero are not sent and stay holes at the other end.
 */
final class FileData {
    static final int CHUNK = 256 << 10;
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
            if (n > 0 && !zero(buffer, n)) {
                target.data(offset, buffer, 0, n);
                sent += n;
            }
            offset += n;
            if (n < want) {
                break;
            }
        }
        return sent;
    }

    static boolean zero(byte[] bytes, int n) {
        return Arrays.mismatch(bytes, 0, n, ZEROS, 0, n) < 0;
    }
}
