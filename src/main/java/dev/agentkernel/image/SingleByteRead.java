package dev.agentkernel.image;

import java.io.IOException;
import java.io.InputStream;

/** {@link InputStream#read()} for streams whose work is all in their bulk {@code read(byte[], int, int)}. */
public final class SingleByteRead {
    private SingleByteRead() {
    }

    /** The next byte of {@code in} (0 to 255), or -1 at its end, read through its bulk read. */
    public static int of(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n = in.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
