package dev.agentkernel.registry;

import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;

/** Told how a pull goes, for progress output. Called from download threads: implementations must be thread-safe. */
public interface PullListener {
    PullListener NONE = new PullListener() {
    };

    /** The manifest of {@code reference} was resolved (after platform selection). */
    default void resolved(String reference, Digest manifestDigest, int layerCount) {
    }

    /** A blob (layer or config) is already in the blob store: nothing to download. */
    default void cached(BlobKind kind, int number, Descriptor blob) {
    }

    /** A blob download starts (or resumes at {@code from} bytes). */
    default void started(BlobKind kind, int number, Descriptor blob, long from) {
    }

    /** {@code bytes} of {@code blob} are held so far. */
    default void progress(BlobKind kind, int number, Descriptor blob, long bytes) {
    }

    /** A blob is downloaded and verified. */
    default void finished(BlobKind kind, int number, Descriptor blob) {
    }

    /** What a blob is to the image. */
    enum BlobKind { CONFIG, LAYER }
}
