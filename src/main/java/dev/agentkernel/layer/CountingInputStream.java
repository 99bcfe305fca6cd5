package dev.agentkernel.layer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Counts the bytes read through it and reports the running total. */
final class CountingInputStream extends FilterInputStream {
    private final LongConsumer total;
    private long count;

    CountingInputStream(InputStream in, LongConsumer total) {
        super(in);
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            total.accept(++count);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            count += n;
            total.accept(count);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(n);
        count += skipped;
        total.accept(count);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
