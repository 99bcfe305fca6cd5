package dev.agentkernel.engine;

import dev.agentkernel.errors.UserInputException;

import java.util.Locale;

/** What {@code --engine} asks for: one engine, or {@link #AUTO} (Docker if its daemon answers, else Podman, else Buildah). */
public enum EngineChoice {
    AUTO(null),
    DOCKER(EngineKind.DOCKER),
    PODMAN(EngineKind.PODMAN),
    BUILDAH(EngineKind.BUILDAH);

    private final EngineKind kind;

    EngineChoice(EngineKind kind) {
        this.kind = kind;
    }

    /** The engine asked for, or null for {@link #AUTO}. */
    public EngineKind kind() {
        return kind;
    }

    public static EngineChoice of(EngineKind kind) {
        return valueOf(kind.name());
    }

    /** Parses {@code auto}, {@code docker}, {@code podman} or {@code buildah}. */
    public static EngineChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UserInputException("unknown engine '" + text + "': use auto, docker, podman or buildah");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
