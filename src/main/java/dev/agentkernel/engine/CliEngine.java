package dev.agentkernel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.process.CommandRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** What the three engine programs have in common: running them, builds, removal, reading their answers. */
abstract class CliEngine implements ContainerEngine {
    static final Duration QUERY_TIMEOUT = Duration.ofMinutes(2);
    static final Duration SAVE_TIMEOUT = Duration.ofMinutes(30);
    static final Duration BUILD_TIMEOUT = Duration.ofHours(2);
    static final ObjectMapper JSON = new ObjectMapper();

    private final EngineKind kind;
    private final Path program;

    CliEngine(EngineKind kind, Path program) {
        this.kind = kind;
        this.program = program;
    }

    @Override
    public EngineKind kind() {
        return kind;
    }

    /** The program's absolute path. */
    Path program() {
        return program;
    }

    /** Runs the engine with {@code args}, capturing output. */
    CommandRunner.Result run(Duration timeout, String... args) {
        return CommandRunner.run(command(List.of(args)), timeout);
    }

    List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(program.toString());
        command.addAll(args);
        return command;
    }

    /** A failure as one line: what was run, the exit code and the engine's last error line. */
    ToolException failure(String what, CommandRunner.Result result) {
        return new ToolException(name() + " " + what + " failed (exit " + result.exitCode() + "): "
                + result.lastErrorLine());
    }

    /** Whether a failed command failed because the image does not exist. */
    static boolean isImageNotFound(CommandRunner.Result result) {
        String text = (result.stderr() + result.stdout()).toLowerCase(Locale.ROOT);
        return text.contains("image not known") || text.contains("no such image")
                || text.contains("image not found") || text.contains("not found: image");
    }

    ImageException noSuchImage(String ref) {
        return new ImageException(name() + " has no image '" + ref + "'");
    }

    @Override
    public Digest build(BuildRequest request, Consumer<String> output) {
        Path iidFile = null;
        try {
            iidFile = Files.createTempFile("agentkernel-build-", ".iid");
            List<String> args = new ArrayList<>(List.of("build", "--iidfile", iidFile.toString(),
                    "-t", request.tag(), "-f", request.dockerfile().toString()));
            request.labels().forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
            request.buildArgs().forEach((k, v) -> args.addAll(List.of("--build-arg", k + "=" + v)));
            if (request.target() != null) {
                args.addAll(List.of("--target", request.target()));
            }
            if (request.noCache()) {
                args.add("--no-cache");
            }
            if (request.platform() != null) {
                args.addAll(List.of("--platform", request.platform()));
            }
            args.add(request.context().toString());
            CommandRunner.Result result = CommandRunner.run(command(args), BUILD_TIMEOUT, output);
            if (!result.succeeded()) {
                throw failure("build", result);
            }
            String iid = Files.readString(iidFile, StandardCharsets.UTF_8).strip();
            return parseImageId(iid);
        } catch (IOException e) {
            throw new ToolException(name() + " build: could not read the image id it wrote: " + e.getMessage(), e);
        } finally {
            deleteQuietly(iidFile);
        }
    }

    @Override
    public boolean remove(String ref) {
        CommandRunner.Result result = run(QUERY_TIMEOUT, "rmi", ref);
        if (result.succeeded()) {
            return true;
        }
        if (isImageNotFound(result)) {
            return false;
        }
        throw failure("rmi " + ref, result);
    }

    /** Runs a save command that writes {@code archive}, removing a partial archive when it fails. */
    void runSave(Path archive, String... args) {
        boolean done = false;
        try {
            Files.deleteIfExists(archive);
            CommandRunner.Result result = run(SAVE_TIMEOUT, args);
            if (!result.succeeded()) {
                throw failure(args[0], result);
            }
            if (!Files.isRegularFile(archive)) {
                throw new ToolException(name() + " " + args[0] + " reported success but wrote no " + archive);
            }
            done = true;
        } catch (IOException e) {
            throw new ToolException("could not replace " + archive + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                deleteQuietly(archive);
            }
        }
    }

    /** Reads JSON an engine printed. */
    JsonNode parseJson(String what, String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new ToolException(name() + " " + what + " printed something that is not JSON: " + e.getMessage(),
                    e);
        }
    }

    /** Engines print ids with ({@code sha256:…}, Docker, Buildah) or without (Podman) the algorithm. */
    Digest parseImageId(String id) {
        String text = id.contains(":") ? id : "sha256:" + id;
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ToolException(name() + " reported an image id that is not a digest: '" + id + "'", e);
        }
    }

    static Map<String, String> labels(JsonNode labelsNode) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (labelsNode != null && labelsNode.isObject()) {
            labelsNode.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return labels;
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Clean-up only; the error that brought us here is the one to report.
        }
    }

    @Override
    public String toString() {
        return name() + " (" + program + ")";
    }
}
