package dev.agentkernel.registry;

import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Manifest;
import dev.agentkernel.image.Platform;

import java.util.Objects;
import java.util.Optional;

/**
 * An image whose manifest, config and layers are all in the blob store.
 *
 * @param reference        the reference as asked for
 * @param manifestDigest   the digest of the image manifest (after platform selection): the image's identity
 * @param manifest         the image manifest
 * @param config           the parsed config
 * @param selectedPlatform the platform picked from an index, empty when the reference named a single manifest
 * @param downloadedBlobs  how many blobs this pull downloaded (the others were already stored)
 * @param downloadedBytes  how many bytes those downloads brought
 */
public record PulledImage(ImageReference reference, Digest manifestDigest, Manifest manifest, ImageConfig config,
                          Optional<Platform> selectedPlatform, int downloadedBlobs, long downloadedBytes) {
    public PulledImage {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(selectedPlatform, "selectedPlatform");
    }

    /** The config digest, which engines show as the image id. */
    public Digest id() {
        return manifest.config().digest();
    }

    /** Compressed size of config and layers, as a registry reports an image's size. */
    public long size() {
        return manifest.config().size() + manifest.layers().stream().mapToLong(d -> d.size()).sum();
    }
}
