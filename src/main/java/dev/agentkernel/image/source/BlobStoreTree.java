package dev.agentkernel.image.source;

import dev.agentkernel.image.Digest;
import dev.agentkernel.store.BlobStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The shared blob store seen as the {@code blobs/} folder of an image layout, for pulled images. */
final class BlobStoreTree implements FileTree {
    private final BlobStore blobs;

    BlobStoreTree(BlobStore blobs) {
        this.blobs = blobs;
    }

    private Path resolve(String path) throws NoSuchFileException {
        String[] parts = path.split("/");
        if (parts.length != 3 || !parts[0].equals("blobs") || !Digest.isDigest(parts[1] + ":" + parts[2])) {
            throw new NoSuchFileException(path + " (the blob store holds only blobs/<algorithm>/<hex>)");
        }
        return blobs.path(Digest.parse(parts[1] + ":" + parts[2]));
    }

    @Override
    public boolean exists(String path) {
        try {
            return Files.isRegularFile(resolve(path));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(resolve(path));
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public String describe() {
        return "the blob store";
    }

    @Override
    public void close() {
        // nothing held
    }
}
