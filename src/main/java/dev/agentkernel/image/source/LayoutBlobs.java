package dev.agentkernel.image.source;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Descriptor;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Reads the blobs of an image layout ({@code blobs/<algorithm>/<hex>}) from a {@link FileTree}. */
final class LayoutBlobs {
    /** Manifests, indexes and configs are small; a bigger "metadata" blob is a broken or hostile image. */
    static final long METADATA_LIMIT = 16L << 20;

    private LayoutBlobs() {
    }

    static String path(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    /** A metadata blob (manifest, index, config), read whole and checked against its descriptor. */
    static byte[] readVerified(FileTree tree, Descriptor d, String what) {
        byte[] bytes;
        try {
            bytes = tree.readSmall(path(d.digest()), METADATA_LIMIT);
        } catch (NoSuchFileException e) {
            throw new ImageException(what + " " + d.digest() + " is missing from " + tree.describe(), e);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + d.digest() + " from " + tree.describe() + ": "
                    + e.getMessage(), e);
        }
        if (bytes.length != d.size()) {
            throw new ImageException(what + " " + d.digest() + " is " + bytes.length + " bytes; its descriptor says "
                    + d.size());
        }
        checkDigest(bytes, d.digest(), what);
        return bytes;
    }

    static void checkDigest(byte[] bytes, Digest expected, String what) {
        java.security.MessageDigest md = expected.newMessageDigest();
        Digest actual = Digest.of(expected.algorithm(), md.digest(bytes));
        if (!actual.equals(expected)) {
            throw new ImageException(what + " does not match its digest: expected " + expected + ", got " + actual);
        }
    }

    /** Fails early, naming the layer, when a layer blob is absent (rather than midway through a conversion). */
    static void requirePresent(FileTree tree, Descriptor d, String what) {
        if (!tree.exists(path(d.digest()))) {
            throw new ImageException(what + " blob " + d.digest() + " is missing from " + tree.describe());
        }
    }
}
