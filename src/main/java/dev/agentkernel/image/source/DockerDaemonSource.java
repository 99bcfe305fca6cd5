package dev.agentkernel.image.source;

import dev.agentkernel.errors.UserInputException;

/** {@code docker-daemon:REF}: exports the image from a local engine with its {@code save} command. */
final class DockerDaemonSource {
    private DockerDaemonSource() {
    }

    static ImageSource open(SourceSpec.DockerDaemon spec, SourceOptions options) {
        // Wired to dev.agentkernel.engine.ContainerEngine once the engine package is on main.
        throw new UserInputException(spec + ": docker-daemon sources are not available in this build yet; "
                + "export with 'podman save -o FILE REF' and use docker-archive:FILE");
    }
}
