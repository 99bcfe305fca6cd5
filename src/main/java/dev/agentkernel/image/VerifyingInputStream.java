package dev.agentkernel.image;

import dev.agentkernel.errors.ImageException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a blob's bytes through while hashing (on a thread of its own) and counting them; at the end of the stream the digest (and the
 * size, when known) must match, else reading fails with an {@link ImageException} naming the blob. Closing
 * before the end reads the rest, so a consumer that stops early (a tar reader at its end-of-archive blocks, a
 * gzip reader at its trailer) still gets the check.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long expectedSize;
    private final String what;
    private final BackgroundDigest md;
    private long count;
    private boolean verified;
    private boolean failed;

    /**
     * @param expected     the digest the content must have
     * @param expectedSize the exact size in bytes, or -1 when unknown (uncompressed layer content)
     * @param what         names the blob in errors, e.g. "layer 2 of 3 (sha256:ab12…)"
     */
    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.what = what;
        this.md = new BackgroundDigest(expected, what);
    }

    @Override
    public int read() throws IOException {
        return SingleByteRead.of(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            failed = true;
            md.abandon();
            throw e;
        }
        if (n < 0) {
            verify();
            return -1;
        }
        md.update(b, off, n);
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            failed = true;
            md.abandon();
            throw new ImageException(what + " is larger than the " + expectedSize + " bytes its descriptor declares");
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed.
        byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 65536)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported: a reset would hash bytes twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Reads to the end (if the consumer stopped early) so the digest is checked, then closes. */
    @Override
    public void close() throws IOException {
        try {
            if (!verified && !failed) {
                byte[] buf = new byte[65536];
                while (read(buf, 0, buf.length) >= 0) {
                    // draining to verify
                }
            }
        } finally {
            md.abandon();
            in.close();
        }
    }

    /** Whether the whole content was read and matched. */
    public boolean verified() {
        return verified;
    }

    private void verify() {
        if (verified) {
            return;
        }
        if (expectedSize >= 0 && count != expectedSize) {
            failed = true;
            md.abandon();
            throw new ImageException(what + " is truncated: " + count + " bytes of the " + expectedSize
                    + " its descriptor declares");
        }
        Digest actual = Digest.of(expected.algorithm(), md.finish());
        if (!actual.equals(expected)) {
            failed = true;
            throw new ImageException(what + " does not match its digest: expected " + expected + ", got " + actual);
        }
        verified = true;
    }
}
