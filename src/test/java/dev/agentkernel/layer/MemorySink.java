package dev.agentkernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** A ContentSink in memory that remembers everything it was ever given, discarded or not. */
final class MemorySink implements ContentSink {
    static final class Ref implements ContentRef {
        final byte[] bytes;
        boolean discarded;

        Ref(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    final List<Ref> stored = new ArrayList<>();

    @Override
    public ContentRef store(InputStream in, long length) throws IOException {
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length != length) {
            throw new IOException("short content: " + bytes.length + " of " + length);
        }
        Ref ref = new Ref(bytes);
        stored.add(ref);
        return ref;
    }

    @Override
    public void discard(ContentRef ref) {
        Ref r = (Ref) ref;
        if (r.discarded) {
            throw new IllegalStateException("discarded twice");
        }
        r.discarded = true;
    }

    /** Whether {@code needle} occurs in content that was stored and not discarded. */
    boolean keeps(byte[] needle) {
        return stored.stream().filter(r -> !r.discarded).anyMatch(r -> indexOf(r.bytes, needle) >= 0);
    }

    /** Whether {@code needle} ever reached the sink, even if discarded later. */
    boolean everSaw(byte[] needle) {
        return stored.stream().anyMatch(r -> indexOf(r.bytes, needle) >= 0);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
