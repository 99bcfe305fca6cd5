package dev.agentkernel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.process.CommandRunner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Buildah. It shares image storage with Podman but reports sizes only in human units, so the size is counted
 * from the stored manifest: layers, config and the manifest itself (Podman's figure is a few hundred bytes
 * larger, as it also counts the second copy of the manifest its storage keeps).
 */
final class BuildahEngine extends CliEngine {
    BuildahEngine(Path program) {
        super(EngineKind.BUILDAH, program);
    }

    @Override
    public ImageInfo inspect(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "inspect", "--type", "image", ref);
        if (!result.succeeded()) {
            throw isImageNotFound(result) ? noSuchImage(ref) : failure("inspect " + ref, result);
        }
        JsonNode answer = parseJson("inspect", result.stdout());
        JsonNode id = answer.get("FromImageID");
        JsonNode manifestText = answer.get("Manifest");
        if (id == null || manifestText == null || !manifestText.isTextual()) {
            throw new ToolException("buildah inspect " + ref + " gave no FromImageID or Manifest");
        }
        JsonNode manifest = parseJson("inspect (manifest)", manifestText.asText());
        long size = manifestText.asText().getBytes(StandardCharsets.UTF_8).length
                + manifest.path("config").path("size").asLong();
        for (JsonNode layer : manifest.path("layers")) {
            size += layer.path("size").asLong();
        }
        JsonNode config = answer.path("OCIv1").path("config");
        return new ImageInfo(parseImageId(id.asText()), size, labels(config.get("Labels")));
    }

    @Override
    public boolean exists(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "inspect", "--type", "image", "--format", "{{.FromImageID}}",
                ref);
        if (result.succeeded()) {
            return true;
        }
        if (isImageNotFound(result)) {
            return false;
        }
        throw failure("inspect " + ref, result);
    }

    @Override
    public void save(String ref, Path archive, ArchiveFormat format) {
        String path = archive.toAbsolutePath().toString();
        if (path.contains(":")) {
            // buildah parses "transport:path[:reference]", so a colon in the path would be misread.
            throw new ToolException("buildah cannot write an archive whose path contains ':': " + path);
        }
        runSave(archive, "push", "--quiet", ref, format.transport() + ":" + path);
    }
}
