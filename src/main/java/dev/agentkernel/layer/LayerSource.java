package dev.agentkernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One layer blob to flatten.
 *
 * @param name        how errors name the layer, e.g. "layer 2 of 3 (sha256:3f4a…)"
 * @param mediaType   the descriptor's media type; {@code null} when the source has none (then the compression
 *                    is detected from the magic bytes)
 * @param opener      opens the (compressed) blob from its start; called once per layer, and again only in the
 *                    rare case a hard link needs content its layer's first reading skipped. The flattener
 *                    reads every blob to its end, so a digest-verifying stream sees all bytes.
 * @param uncompressed wraps the decompressed tar stream, e.g. to verify it against the config's diff_id; it
 *                    too is read to its end, on the flattening thread (the blob itself is read on the
 *                    layer's inflating thread, so hashing work is spread over two cores)
 */
public record LayerSource(String name, String mediaType, Opener opener, UnaryOperator<InputStream> uncompressed) {
    public LayerSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(uncompressed, "uncompressed");
    }

    /** A layer whose uncompressed stream needs no further check. */
    public LayerSource(String name, String mediaType, Opener opener) {
        this(name, mediaType, opener, UnaryOperator.identity());
    }

    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }
}
