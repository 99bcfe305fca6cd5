package dev.agentkernel.registry;

import dev.agentkernel.image.Digest;

import java.util.Objects;

/**
 * A manifest or index as the registry sent it: the exact bytes (their digest is the image's identity), the
 * media type from {@code Content-Type}, and the digest of the bytes, checked against what was asked for.
 */
public record ManifestResponse(byte[] body, String mediaType, Digest digest) {
    public ManifestResponse {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(digest, "digest");
    }
}
