package dev.agentkernel.image.source;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;

/** {@code docker-daemon:REF}: exports the image from the local Docker (or else Podman) engine with {@code save}. */
final class DockerDaemonSource {
    private DockerDaemonSource() {
    }

    static ImageSource open(SourceSpec.DockerDaemon spec, SourceOptions options) {
        ContainerEngine engine = ContainerEngine.detect(EngineChoice.AUTO);
        return ExportedArchiveSource.export(engine, spec.ref(), options, spec.toString());
    }
}
