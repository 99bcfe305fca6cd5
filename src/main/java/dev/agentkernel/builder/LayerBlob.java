package dev.agentkernel.builder;

import dev.agentkernel.image.Digest;

import java.util.Objects;

/**
 * A layer in the blob store: the blob's digest, size and media type, and the digest of its tar ({@code diff_id}).
 */
record LayerBlob(Digest digest, long size, String mediaType, Digest diffId) {
    static final String GZIP_TAR = "application/vnd.oci.image.layer.v1.tar+gzip";

    LayerBlob {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(diffId, "diffId");
        Objects.requireNonNull(mediaType, "mediaType");
    }
}
