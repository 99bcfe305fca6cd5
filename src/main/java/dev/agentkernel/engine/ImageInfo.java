package dev.agentkernel.engine;

import dev.agentkernel.image.Digest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an engine reports about one of its images.
 *
 * @param id     the image id (the config digest)
 * @param size   size in bytes as the engine counts it (layers, config and manifest as stored)
 * @param labels the labels of the image's config
 */
public record ImageInfo(Digest id, long size, Map<String, String> labels) {
    public ImageInfo {
        Objects.requireNonNull(id, "id");
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
}
