package dev.agentkernel.rootfs;

import java.nio.file.Path;
import java.util.Objects;

/** Which guest agent goes to {@code /usr/bin/agent}: the one packed in this build, a given file, or none. */
public sealed interface AgentChoice {
    record Packaged() implements AgentChoice {
    }

    record File(Path path) implements AgentChoice {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    record None() implements AgentChoice {
    }

    static AgentChoice packaged() {
        return new Packaged();
    }

    static AgentChoice file(Path path) {
        return new File(path);
    }

    static AgentChoice none() {
        return new None();
    }
}
