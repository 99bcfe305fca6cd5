package dev.agentkernel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.process.CommandRunner;

import java.nio.file.Path;

/** Docker, through its CLI and a running daemon. {@code docker save} writes docker-archive only. */
final class DockerEngine extends CliEngine {
    DockerEngine(Path program) {
        super(EngineKind.DOCKER, program);
    }

    @Override
    public ImageInfo inspect(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "image", "inspect", ref);
        if (!result.succeeded()) {
            throw isImageNotFound(result) ? noSuchImage(ref) : failure("image inspect " + ref, result);
        }
        return parseInspectArray(this, ref, parseJson("image inspect", result.stdout()));
    }

    @Override
    public boolean exists(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "image", "inspect", "--format", "{{.Id}}", ref);
        if (result.succeeded()) {
            return true;
        }
        if (isImageNotFound(result)) {
            return false;
        }
        throw failure("image inspect " + ref, result);
    }

    @Override
    public void save(String ref, Path archive, ArchiveFormat format) {
        if (format != ArchiveFormat.DOCKER_ARCHIVE) {
            throw new ToolException("docker save writes " + ArchiveFormat.DOCKER_ARCHIVE.transport()
                    + " only, not " + format.transport());
        }
        runSave(archive, "save", "-o", archive.toString(), ref);
    }

    /** The {@code image inspect} answer of Docker and Podman: an array of objects with Id, Size, Config.Labels. */
    static ImageInfo parseInspectArray(CliEngine engine, String ref, JsonNode answer) {
        JsonNode image = PodmanEngine.first(answer);
        JsonNode id = image.get("Id");
        JsonNode size = image.get("Size");
        if (id == null || size == null || !size.canConvertToLong()) {
            throw new ToolException(engine.name() + " image inspect " + ref + " gave no Id or Size");
        }
        JsonNode config = image.get("Config");
        return new ImageInfo(engine.parseImageId(id.asText()), size.asLong(),
                labels(config == null ? null : config.get("Labels")));
    }
}
