package dev.agentkernel.image.source;

import java.io.IOException;
import java.io.InputStream;

/**
 * Read-only access to the files of an image layout by relative path ({@code index.json},
 * {@code blobs/sha256/<hex>}), whether the layout is a directory or a tar archive read in place.
 */
interface FileTree extends AutoCloseable {
    boolean exists(String path);

    /** The size of a file; {@link java.nio.file.NoSuchFileException} when absent. */
    long size(String path) throws IOException;

    /** A new stream over a file; safe to call from several threads at once. */
    InputStream open(String path) throws IOException;

    /** Names the tree in messages. */
    String describe();

    @Override
    void close();

    /** Reads a small file (JSON documents) whole, refusing files over {@code limit} bytes. */
    default byte[] readSmall(String path, long limit) throws IOException {
        long size = size(path);
        if (size > limit) {
            throw new IOException(path + " is " + size + " bytes, more than the " + limit + " a metadata file may have");
        }
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        }
    }
}
