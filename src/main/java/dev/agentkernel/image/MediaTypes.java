package dev.agentkernel.image;

import java.util.Set;

/** Media types of the OCI image spec and Docker's image manifest schema 2, grouped by kind. */
public final class MediaTypes {
    private MediaTypes() {
    }

    // Manifests and indexes.
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    // Configs.
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    // Layers.
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_GZIP =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    /** Not registered by Docker, but some tools write it for uncompressed layers. */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";

    /** What a registry client lists in {@code Accept} to be given any of the four manifest kinds. */
    public static final Set<String> MANIFEST_TYPES = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /**
     * The compression a layer media type declares, or {@code null} when the type is not a layer type we know.
     * Readers still check the magic bytes: the media type is a claim, the bytes are the truth.
     */
    public static LayerCompression layerCompression(String mediaType) {
        if (mediaType == null) {
            return null;
        }
        return switch (mediaType) {
            case OCI_LAYER_TAR, OCI_LAYER_NONDISTRIBUTABLE_TAR, DOCKER_LAYER_TAR -> LayerCompression.NONE;
            case OCI_LAYER_GZIP, OCI_LAYER_NONDISTRIBUTABLE_GZIP, DOCKER_LAYER_GZIP, DOCKER_LAYER_FOREIGN_GZIP ->
                    LayerCompression.GZIP;
            case OCI_LAYER_ZSTD, OCI_LAYER_NONDISTRIBUTABLE_ZSTD -> LayerCompression.ZSTD;
            default -> null;
        };
    }
}
