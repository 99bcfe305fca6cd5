package dev.agentkernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where the flattener puts the bytes of regular files. Called from the flattener's single consumer thread, in a
 * deterministic order, once per surviving file (plus, rarely, for content later found hidden and then
 * {@link #discard}ed).
 */
public interface ContentSink {
    /** Reads exactly {@code length} bytes from {@code in} and stores them; {@code in} is not to be closed. */
    ContentRef store(InputStream in, long length) throws IOException;

    /**
     * A sparse file of {@code length} bytes: {@code data} holds the bytes of {@code segments} ({offset, length}
     * pairs, ordered and disjoint) one after another, the rest are zeros. A sink that can keep holes overrides
     * this, so the work is proportional to the data rather than to the file's apparent size.
     */
    default ContentRef storeSparse(InputStream data, long length, List<long[]> segments) throws IOException {
        return store(new SparseInputStream(data, segments, length), length);
    }

    /** The content turned out to be hidden by an upper layer: forget it, and overwrite its bytes if stored. */
    void discard(ContentRef ref) throws IOException;
}
