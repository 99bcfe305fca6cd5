package dev.agentkernel.agent;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the host can ask the guest agent to do. {@link AgentJson} turns each into the wire form of
 * agentkernel's protocol: {@code {"id": ..., "type": "run", "command": [...], ...}}.
 */
public sealed interface AgentRequest {

    /** The protocol's {@code type} field. */
    String type();

    record Ping() implements AgentRequest {
        public String type() {
            return "ping";
        }
    }

    /**
     * Runs {@code command} (an argument vector, no shell) in {@code cwd} (null: the agent's) with {@code env}
     * added to the agent's environment. {@code timeoutMs} 0 means none.
     */
    record Run(List<String> command, String cwd, Map<String, String> env, long timeoutMs) implements AgentRequest {
        public Run {
            command = List.copyOf(command);
            env = Map.copyOf(env);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("a command needs at least its program name");
            }
            if (timeoutMs < 0) {
                throw new IllegalArgumentException("timeout must not be negative");
            }
        }

        public Run(List<String> command) {
            this(command, null, Map.of(), 0);
        }

        public String type() {
            return "run";
        }
    }

    record WriteFile(String path, byte[] content) implements AgentRequest {
        public WriteFile {
            Objects.requireNonNull(path, "path");
            content = content.clone();
        }

        public String type() {
            return "write_file";
        }
    }

    record ReadFile(String path) implements AgentRequest {
        public String type() {
            return "read_file";
        }
    }

    record RemoveFile(String path) implements AgentRequest {
        public String type() {
            return "remove_file";
        }
    }

    record Mkdir(String path, boolean recursive) implements AgentRequest {
        public String type() {
            return "mkdir";
        }
    }

    /** Syncs the guest's disks and powers the VM off, after answering. */
    record Shutdown() implements AgentRequest {
        public String type() {
            return "shutdown";
        }
    }
}
