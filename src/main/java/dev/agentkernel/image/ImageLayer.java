package dev.agentkernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * One layer of an {@link Image}: its descriptor, its uncompressed digest ({@code diff_id}) and a way to read
 * its blob. {@link #open()} gives the blob as stored (compressed or not), verified against the descriptor's
 * digest and size; the reader decompresses it and passes the result through {@link #verifyUncompressed} so
 * the tar bytes are checked against the diff_id.
 *
 * @param number       1-based position, base layer first
 * @param count        how many layers the image has
 * @param blobVerified whether {@link #open()} checks the blob digest (false only for legacy docker-archive
 *                     layers whose blob digest is not recorded anywhere; their diff_id is always checked)
 */
public record ImageLayer(int number, int count, Descriptor descriptor, Digest diffId, boolean blobVerified,
                         BlobOpener blob) {
    public ImageLayer {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(diffId, "diffId");
        Objects.requireNonNull(blob, "blob");
    }

    /** "layer 2 of 3 (sha256:0123456789ab)", for messages. */
    public String name() {
        return "layer " + number + " of " + count + " (" + descriptor.digest().algorithm() + ":"
                + descriptor.digest().shortHex() + ")";
    }

    /** The compression the media type declares; null when the media type does not say (check the magic). */
    public LayerCompression declaredCompression() {
        return MediaTypes.layerCompression(descriptor.mediaType());
    }

    /** The blob as stored, verified against its digest and size as it is read (see {@link VerifyingInputStream}). */
    public InputStream open() throws IOException {
        InputStream raw = blob.open();
        if (!blobVerified) {
            return raw;
        }
        return new VerifyingInputStream(raw, descriptor.digest(), descriptor.size(), name());
    }

    /**
     * Wraps the decompressed tar stream so that it is checked against the diff_id. For an uncompressed blob
     * whose digest is the diff_id, {@link #open()} has already checked the same bytes and this returns
     * {@code uncompressed} as it is.
     */
    public InputStream verifyUncompressed(InputStream uncompressed) {
        if (blobVerified && descriptor.digest().equals(diffId)) {
            return uncompressed;
        }
        return new VerifyingInputStream(uncompressed, diffId, -1, name() + " uncompressed content (diff_id)");
    }
}
