package dev.agentkernel.engine;

/** The container engines agentkernel drives through their command-line programs. */
public enum EngineKind {
    DOCKER("docker", "install Docker (apt-get install docker.io) and start its daemon"),
    PODMAN("podman", "install Podman (apt-get install podman)"),
    BUILDAH("buildah", "install Buildah (apt-get install buildah)");

    private final String program;
    private final String installHint;

    EngineKind(String program, String installHint) {
        this.program = program;
        this.installHint = installHint;
    }

    /** The program's name on PATH, also the engine's name in messages and image metadata. */
    public String program() {
        return program;
    }

    /** What to do when the engine is missing, for error messages. */
    public String installHint() {
        return installHint;
    }

    /** The kind whose program is {@code name}, e.g. from stored metadata. */
    public static EngineKind ofProgram(String name) {
        for (EngineKind kind : values()) {
            if (kind.program.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown container engine '" + name + "'");
    }
}
