package dev.agentkernel.store;

import dev.agentkernel.image.Digest;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the store knows about one image ({@code images/<name>.json}).
 *
 * @param name      the name users give on the command line ({@code images rm NAME}, {@code rootfs NAME})
 * @param id        the image id: the digest of its config, as engines show it
 * @param size      size in bytes, as the engine or registry reports it
 * @param createdAt when agentkernel built, pulled or imported it
 * @param origin    where it came from; says which of {@code build} and {@code source} is present
 * @param labels    the image's labels (those of its config), in the engine's order
 * @param build     for {@link ImageOrigin#BUILT} images: the engine and how it was built; otherwise null
 * @param source    for {@link ImageOrigin#PULLED} and {@link ImageOrigin#IMPORTED} images: where it came from;
 *                  for natively built ones, their manifest digest; otherwise null
 */
public record ImageRecord(
        String name,
        Digest id,
        long size,
        Instant createdAt,
        ImageOrigin origin,
        Map<String, String> labels,
        BuildInfo build,
        SourceInfo source) {

    /**
     * How a {@link ImageOrigin#BUILT} image was made.
     *
     * @param engine          the engine's program name: {@code docker}, {@code podman} or {@code buildah}
     * @param engineReference the engine's tag of the image, {@code agentkernel-NAME}
     * @param dockerfile      absolute path of the Dockerfile
     * @param context         absolute path of the build context
     */
    public record BuildInfo(String engine, String engineReference, Path dockerfile, Path context) {
        /** The engine name of images built by agentkernel's own builder (their blobs are in the blob store). */
        public static final String NATIVE = "native";

        public boolean isNative() {
            return NATIVE.equals(engine);
        }

        public BuildInfo {
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(engineReference, "engineReference");
            Objects.requireNonNull(dockerfile, "dockerfile");
            Objects.requireNonNull(context, "context");
        }
    }

    /**
     * Where a {@link ImageOrigin#PULLED} or {@link ImageOrigin#IMPORTED} image came from.
     *
     * @param reference      the source as the user gave it, normalized (e.g. {@code docker.io/library/alpine:3.19}
     *                       or {@code oci-archive:/abs/path.tar})
     * @param manifestDigest digest of the image manifest (after platform selection), whose blobs the blob
     *                       store holds for pulled images; null for imports that keep no blobs
     * @param platform       {@code os/arch[/variant]} that was selected, or null when the source had one only
     */
    public record SourceInfo(String reference, Digest manifestDigest, String platform) {
        public SourceInfo {
            Objects.requireNonNull(reference, "reference");
        }
    }

    public ImageRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(origin, "origin");
        if (size < 0) {
            throw new IllegalArgumentException("negative image size: " + size);
        }
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        if ((origin == ImageOrigin.BUILT) != (build != null)) {
            throw new IllegalArgumentException("build information is required for, and only for, built images");
        }
        if (origin != ImageOrigin.BUILT && source == null) {
            throw new IllegalArgumentException("source information is required for pulled and imported images");
        }
        if (origin == ImageOrigin.BUILT && (source != null) != build.isNative()) {
            throw new IllegalArgumentException("a natively built image, and only one, records its manifest digest");
        }
        if (origin == ImageOrigin.PULLED && source.manifestDigest() == null) {
            throw new IllegalArgumentException("a pulled image needs its manifest digest");
        }
    }

    /** A record for an image built through a container engine. */
    public static ImageRecord built(ImageName name, Digest id, long size, Instant builtAt, Map<String, String> labels,
                                    BuildInfo build) {
        return new ImageRecord(name.value(), id, size, builtAt, ImageOrigin.BUILT, labels, build, null);
    }

    /**
     * A record for an image built by the native builder: its manifest, config and layers are in the blob store,
     * named by {@code source.manifestDigest} (so blob collection sees them like a pulled image's).
     */
    public static ImageRecord builtNatively(ImageName name, Digest id, long size, Instant builtAt,
                                            Map<String, String> labels, BuildInfo build, Digest manifestDigest,
                                            String platform) {
        return new ImageRecord(name.value(), id, size, builtAt, ImageOrigin.BUILT, labels, build,
                new SourceInfo("native-build:" + name.value(), manifestDigest, platform));
    }

    /** A record for an image pulled from a registry. */
    public static ImageRecord pulled(String name, Digest id, long size, Instant pulledAt, Map<String, String> labels,
                                     SourceInfo source) {
        return new ImageRecord(name, id, size, pulledAt, ImageOrigin.PULLED, labels, null, source);
    }

    /** A record for an image imported from an archive or layout. */
    public static ImageRecord imported(String name, Digest id, long size, Instant importedAt,
                                       Map<String, String> labels, SourceInfo source) {
        return new ImageRecord(name, id, size, importedAt, ImageOrigin.IMPORTED, labels, null, source);
    }

    /**
     * The reference an engine knows this image by: {@code agentkernel-NAME} for a built image, otherwise the
     * name as given.
     */
    public String engineReference() {
        return build != null ? build.engineReference() : name;
    }
}
