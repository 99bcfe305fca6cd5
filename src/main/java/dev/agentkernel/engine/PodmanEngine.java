package dev.agentkernel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.process.CommandRunner;

import java.nio.file.Path;

/**
 * Podman. {@code image inspect} prints a JSON array whose {@code Id} lacks the algorithm prefix; {@code image exists}
 * answers with its exit status.
 */
final class PodmanEngine extends CliEngine {
    PodmanEngine(Path program) {
        super(EngineKind.PODMAN, program);
    }

    @Override
    public ImageInfo inspect(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "image", "inspect", ref);
        if (!result.succeeded()) {
            throw isImageNotFound(result) ? noSuchImage(ref) : failure("image inspect " + ref, result);
        }
        return DockerEngine.parseInspectArray(this, ref, parseJson("image inspect", result.stdout()));
    }

    @Override
    public boolean exists(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "image", "exists", ref);
        return switch (result.exitCode()) {
            case 0 -> true;
            case 1 -> false;
            default -> throw failure("image exists " + ref, result);
        };
    }

    @Override
    public void save(String ref, Path archive, ArchiveFormat format) {
        runSave(archive, "save", "--format", format.transport(), "-o", archive.toString(), ref);
    }

    static JsonNode first(JsonNode array) {
        return array.isArray() && !array.isEmpty() ? array.get(0) : array;
    }
}
