package dev.agentkernel.image;

import java.io.IOException;
import java.io.InputStream;

/** Opens a fresh stream over one blob's bytes; each call starts at the beginning. */
@FunctionalInterface
public interface BlobOpener {
    InputStream open() throws IOException;
}
