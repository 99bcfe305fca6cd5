package dev.agentkernel.rootfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Reports bytes read, in steps of at least 1 MiB (and the rest at the end), for progress display. */
final class ProgressInputStream extends FilterInputStream {
    private static final long STEP = 1 << 20;
    private final LongConsumer progress;
    private long pending;

    ProgressInputStream(InputStream in, LongConsumer progress) {
        super(in);
        this.progress = progress;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        count(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        count(n);
        return n;
    }

    private void count(int n) {
        if (n > 0) {
            pending += n;
        }
        if (pending >= STEP || (n < 0 && pending > 0)) {
            progress.accept(pending);
            pending = 0;
        }
    }
}
