package dev.agentkernel.engine;

/** Archive formats an engine can save an image to, named as skopeo and Podman name the transports. */
public enum ArchiveFormat {
    /** {@code docker save} output: {@code manifest.json}, config and layer tars. */
    DOCKER_ARCHIVE("docker-archive"),
    /** A tar of an OCI image layout. */
    OCI_ARCHIVE("oci-archive");

    private final String transport;

    ArchiveFormat(String transport) {
        this.transport = transport;
    }

    /** The transport name: {@code docker-archive} or {@code oci-archive}. */
    public String transport() {
        return transport;
    }
}
