package dev.agentkernel.agent;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;

/**
 * The payload of one frame as it arrives: the buffer starts small and doubles when full, up to the announced
 * length, so a guest that announces 16 MiB and sends 10 bytes costs 64 KiB, not 16 MiB.
 */
final class GrowingPayload {
    static final int INITIAL_BYTES = 64 << 10;

    /** Reads into {@code buffer[offset, offset+length)}; returns the count read, 0 for none yet, -1 at EOF. */
    @FunctionalInterface
    interface Source {
        int read(byte[] buffer, int offset, int length) throws IOException;
    }

    private GrowingPayload() {
    }

    static byte[] read(int length, Source source) throws IOException {
        byte[] buffer = new byte[Math.min(length, INITIAL_BYTES)];
        int have = 0;
        while (have < length) {
            if (have == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(length, 2L * buffer.length));
            }
            int n = source.read(buffer, have, buffer.length - have);
            if (n < 0) {
                throw new EOFException("the guest side closed the connection in the middle of a frame (" + have
                        + " of " + length + " bytes)");
            }
            have += n;
        }
        return buffer;
    }
}
