package dev.agentkernel.image.source;

import dev.agentkernel.image.Image;

/**
 * An opened image source. {@link #image()} reads and checks the manifest and config (choosing the platform's
 * manifest from an index); the image's layers can be read, as often as needed, until the source is closed.
 * Closing releases what the source holds (open archives, temporary exports).
 */
public interface ImageSource extends AutoCloseable {
    Image image();

    @Override
    void close();
}
