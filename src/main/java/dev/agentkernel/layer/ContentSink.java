package dev.agentkernel.layer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the flattener puts the bytes of regular files. Called from the flattener's single consumer thread, in a
 * deterministic order, once per surviving file (plus, rarely, for content later found hidden and then
 * {@link #discard}ed).
 */
public interface ContentSink {
    /** Reads exactly {@code length} bytes from {@code in} and stores them; {@code in} is not to be closed. */
    ContentRef store(InputStream in, long length) throws IOException;

    /** The content turned out to be hidden by an upper layer: forget it, and overwrite its bytes if stored. */
    void discard(ContentRef ref) throws IOException;
}
