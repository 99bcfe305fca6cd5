package dev.agentkernel.engine;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.Executables;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds the engine to use. {@code auto} takes Docker when a Docker daemon answers {@code docker version}
 * quickly, else Podman, else Buildah, and says why; asking for one engine by name checks that it is there.
 */
public final class EngineDetector {
    /** How long a Docker daemon may take to answer before we move on: a hung socket must not stall a build. */
    static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final String searchPath;

    private EngineDetector(String searchPath) {
        this.searchPath = searchPath;
    }

    /** Searches this process's PATH (and /usr/sbin, /sbin). */
    public static EngineDetector forThisMachine() {
        return withPath(System.getenv().getOrDefault("PATH", ""));
    }

    /** Searches the given PATH-style list of directories (and /usr/sbin, /sbin). */
    public static EngineDetector withPath(String path) {
        return new EngineDetector(path + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin");
    }

    /** The engine found, and a short phrase saying why it was chosen. */
    public record Detection(ContainerEngine engine, String reason) {
        /** For the user: {@code using podman (no Docker daemon answered)}. */
        public String describe() {
            return "using " + engine.name() + " (" + reason + ")";
        }
    }

    /**
     * The engine for {@code choice}.
     *
     * @throws ToolException naming what to install (or start) when there is none
     */
    public Detection detect(EngineChoice choice) {
        if (choice != EngineChoice.AUTO) {
            return detectExplicit(choice.kind());
        }
        Optional<Path> docker = find(EngineKind.DOCKER);
        String dockerWhy;
        if (docker.isPresent()) {
            CommandRunner.Result probe = probeDocker(docker.get());
            if (probe != null && probe.succeeded()) {
                return new Detection(new DockerEngine(docker.get()), "a Docker daemon answered");
            }
            dockerWhy = "no Docker daemon answered";
        } else {
            dockerWhy = "docker is not installed";
        }
        Optional<Path> podman = find(EngineKind.PODMAN);
        if (podman.isPresent()) {
            return new Detection(new PodmanEngine(podman.get()), dockerWhy);
        }
        Optional<Path> buildah = find(EngineKind.BUILDAH);
        if (buildah.isPresent()) {
            return new Detection(new BuildahEngine(buildah.get()), dockerWhy + " and podman is not installed");
        }
        throw new ToolException("no container engine found (" + dockerWhy + ", podman and buildah are not"
                + " installed): " + EngineKind.PODMAN.installHint() + " or " + EngineKind.BUILDAH.installHint()
                + ", or start a Docker daemon");
    }

    private Detection detectExplicit(EngineKind kind) {
        Path program = find(kind).orElseThrow(() -> new ToolException(kind.program() + " is not installed: "
                + kind.installHint() + ", or choose another engine with --engine"));
        return switch (kind) {
            case PODMAN -> new Detection(new PodmanEngine(program), "asked for");
            case BUILDAH -> new Detection(new BuildahEngine(program), "asked for");
            case DOCKER -> {
                CommandRunner.Result probe = probeDocker(program);
                if (probe == null || !probe.succeeded()) {
                    String why = probe == null ? "it did not answer within " + DOCKER_PROBE_TIMEOUT.toSeconds()
                            + " seconds" : probe.lastErrorLine();
                    throw new ToolException("docker is installed but no Docker daemon answers (" + why
                            + "): start the daemon, or use --engine podman");
                }
                yield new Detection(new DockerEngine(program), "asked for");
            }
        };
    }

    /** {@code docker version} against the daemon; null when it did not answer in time. */
    private static CommandRunner.Result probeDocker(Path docker) {
        try {
            return CommandRunner.run(java.util.List.of(docker.toString(), "version", "--format",
                    "{{.Server.Version}}"), DOCKER_PROBE_TIMEOUT);
        } catch (ToolException timedOutOrUnstartable) {
            return null;
        }
    }

    /** The engine's program on the search path. */
    public Optional<Path> find(EngineKind kind) {
        return Executables.find(searchPath, kind.program());
    }
}
