package dev.agentkernel.store;

/** Where a stored image came from. */
public enum ImageOrigin {
    /** Built from a Dockerfile through a container engine; the image lives in that engine's storage. */
    BUILT,
    /** Pulled from a registry; its manifest, config and layers live in the blob store. */
    PULLED,
    /** Read from an archive or layout ({@code oci:}, {@code oci-archive:}, {@code docker-archive:}, ...). */
    IMPORTED
}
