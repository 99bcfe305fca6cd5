package dev.agentkernel.image;

import dev.agentkernel.errors.ImageException;

import java.util.List;
import java.util.Objects;

/**
 * A resolved image: the digest of its manifest (the identity rootfs caches by), the manifest, the config, and
 * its layers base first with readable, verified blobs. Layers stay readable while the source that produced
 * the image is open.
 *
 * @param source a short description of where it came from, for messages ("oci:/tmp/layout:latest")
 */
public record Image(String source, Digest manifestDigest, Manifest manifest, ImageConfig config,
                    List<ImageLayer> layers) {
    public Image {
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new ImageException(source + ": the manifest names no layers; there is no file system to convert");
        }
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new ImageException(source + ": the manifest names " + manifest.layers().size()
                    + " layers but the config's rootfs.diff_ids lists " + config.diffIds().size());
        }
        if (layers.size() != manifest.layers().size()) {
            throw new IllegalArgumentException("one ImageLayer per manifest layer expected");
        }
    }
}
