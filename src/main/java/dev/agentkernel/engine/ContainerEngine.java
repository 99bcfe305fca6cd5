package dev.agentkernel.engine;

import dev.agentkernel.image.Digest;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A container engine reached through its command-line program (docker, podman or buildah). Image references
 * are passed to the engine as given ({@code agentkernel-NAME}, {@code localhost/x:tag}, an image id ...).
 * Failures are {@link dev.agentkernel.errors.ToolException}s whose message ends with the engine's own last
 * error line; a missing image asked for by {@link #inspect} is an {@link dev.agentkernel.errors.ImageException}.
 */
public interface ContainerEngine {

    /** The engine for {@code choice}, found as {@link EngineDetector#detect} does on this machine. */
    static ContainerEngine detect(EngineChoice choice) {
        return EngineDetector.forThisMachine().detect(choice).engine();
    }

    EngineKind kind();

    /** The engine's program name: {@code docker}, {@code podman} or {@code buildah}. */
    default String name() {
        return kind().program();
    }

    /**
     * Builds {@code request}; every line the engine prints is handed to {@code output} as it comes.
     *
     * @return the id of the built image
     */
    Digest build(BuildRequest request, Consumer<String> output);

    /** Id, size and labels of the image {@code ref}. */
    ImageInfo inspect(String ref);

    /** Whether the engine has an image {@code ref}. */
    boolean exists(String ref);

    /** Writes image {@code ref} to {@code archive} (replaced if present; removed again on failure). */
    void save(String ref, Path archive, ArchiveFormat format);

    /**
     * Removes (untags) image {@code ref}.
     *
     * @return false when the engine had no such image, which is not an error
     */
    boolean remove(String ref);
}
