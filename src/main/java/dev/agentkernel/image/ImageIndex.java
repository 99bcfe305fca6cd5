package dev.agentkernel.image;

import dev.agentkernel.errors.ImageException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** An OCI image index or Docker manifest list: manifests for several platforms. */
public record ImageIndex(String mediaType, List<Descriptor> manifests) {
    /** Buildx stores provenance as index entries with this annotation; they are not images to run. */
    private static final String DOCKER_REFERENCE_TYPE = "vnd.docker.reference.type";

    public ImageIndex {
        Objects.requireNonNull(mediaType, "mediaType");
        manifests = List.copyOf(manifests);
    }

    /**
     * The manifest for {@code wanted}: the first entry whose platform it accepts. An index with a single entry
     * that names no platform is taken as that entry. Otherwise an {@link ImageException} lists what the index
     * offers.
     */
    public Descriptor select(Platform wanted) {
        List<Descriptor> images = images();
        for (Descriptor d : images) {
            if (d.platform().isPresent() && wanted.accepts(d.platform().get())) {
                return d;
            }
        }
        if (images.size() == 1 && images.get(0).platform().isEmpty()) {
            return images.get(0);
        }
        throw new ImageException("the image index has no manifest for " + wanted + "; it offers "
                + describeOffers(images) + " (choose one with --platform)");
    }

    /** The entries that are images, leaving out attestation manifests. */
    public List<Descriptor> images() {
        List<Descriptor> result = new ArrayList<>();
        for (Descriptor d : manifests) {
            boolean attestation = d.annotations().containsKey(DOCKER_REFERENCE_TYPE)
                    || d.platform().map(p -> p.os().equals("unknown")).orElse(false);
            if (!attestation) {
                result.add(d);
            }
        }
        return result;
    }

    private static String describeOffers(List<Descriptor> images) {
        if (images.isEmpty()) {
            return "no images";
        }
        return images.stream()
                .map(d -> d.platform().map(Platform::toString).orElse("(no platform: " + d.digest().shortHex() + ")"))
                .collect(Collectors.joining(", "));
    }
}
