package dev.agentkernel.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Points at a blob: its media type, digest and size, optionally the platform it is for (index entries) and
 * annotations such as {@code org.opencontainers.image.ref.name}.
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform,
                         Map<String, String> annotations, List<String> urls) {
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

    public Descriptor {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(platform, "platform");
        if (size < 0) {
            throw new IllegalArgumentException("negative size in descriptor of " + digest);
        }
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    /** A descriptor with no platform, annotations or URLs. */
    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Optional.empty(), Map.of(), List.of());
    }

    /** The {@code org.opencontainers.image.ref.name} annotation, if any. */
    public Optional<String> refName() {
        return Optional.ofNullable(annotations.get(REF_NAME_ANNOTATION));
    }
}
