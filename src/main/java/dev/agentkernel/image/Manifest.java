package dev.agentkernel.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An image manifest (OCI or Docker schema 2): the config blob and the layer blobs, base layer first. */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    public Manifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
