package dev.agentkernel.builder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * {@code length} bytes of a spool file from {@code offset}, read with positional reads (so several may be open
 * at once). The spool holds every byte of the region (holes read as zeros), so reading past its end is an error,
 * never zeros made up.
 */
final class SpoolRegion {
    private SpoolRegion() {
    }

    static PlannedEntry.Content of(FileChannel channel, Path path, long offset, long length) {
        return () -> new InputStream() {
            private long pos = offset;
            private final long stop = offset + length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= stop) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, stop - pos)), pos);
                if (n <= 0) {
                    throw new IOException(path + " ended early, at byte " + pos + " of " + stop);
                }
                pos += n;
                return n;
            }
        };
    }
}
