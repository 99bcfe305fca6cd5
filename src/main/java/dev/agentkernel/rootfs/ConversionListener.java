package dev.agentkernel.rootfs;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;

/**
 * Progress of a conversion, for the command line. Layer callbacks may come from the flattener's inflating
 * threads: implementations must be thread-safe.
 */
public interface ConversionListener {
    ConversionListener NONE = new ConversionListener() {
    };

    /** The image is resolved; conversion (or a cache lookup) follows. */
    default void imageResolved(Image image) {
    }

    /** Another process is converting the same image; this one waits for its result. */
    default void waitingForOtherConversion() {
    }

    /** {@code bytes} more of {@code layer}'s blob have been read. */
    default void layerBytesRead(ImageLayer layer, long bytes) {
    }

    /** {@code layer} has been read completely. */
    default void layerFinished(ImageLayer layer, int entries) {
    }

    /** Layers are read; the file system's metadata is being written. */
    default void finishing() {
    }

    /** Something the user should know, e.g. that the image's own /init is replaced. */
    default void warning(String message) {
    }
}
