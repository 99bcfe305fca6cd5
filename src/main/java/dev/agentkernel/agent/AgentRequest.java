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

    /**
     * Configures the guest's network (guest/net.c): lo up; with an {@code address}, eth0 with it, the
     * {@code prefix}, the MTU (0: the driver's) and the default route via {@code gateway}; /etc/resolv.conf with
     * {@code dns} (none: the guest resolves nothing itself) and /etc/hosts with the hostname and {@code hosts}.
     */
    record NetConfig(String address, int prefix, String gateway, int mtu, List<String> dns, String hostname,
                     List<HostsEntry> hosts) implements AgentRequest {
        public NetConfig {
            dns = List.copyOf(dns);
            hosts = List.copyOf(hosts);
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("prefix must be 0..32");
            }
        }

        /** Loopback only. */
        public static NetConfig loopbackOnly(String hostname) {
            return new NetConfig(null, 0, null, 0, List.of(), hostname, List.of());
        }

        public String type() {
            return "net_config";
        }
    }

    /** One /etc/hosts line: an address and its names. */
    record HostsEntry(String address, List<String> names) {
        public HostsEntry {
            Objects.requireNonNull(address, "address");
            names = List.copyOf(names);
        }
    }

    /** Syncs the guest's disks and powers the VM off, after answering. */
    record Shutdown() implements AgentRequest {
        public String type() {
            return "shutdown";
        }
    }

    /**
     * What differs per sandbox, set after a start and above all after a restore from a memory snapshot: host
     * entropy to reseed the guest kernel's random generator with (16..512 bytes; null: none), the wall clock
     * (null: leave it) and the hostname (null: leave it).
     */
    record Configure(byte[] entropy, java.time.Instant time, String hostname) implements AgentRequest {
        public Configure {
            entropy = entropy == null ? null : entropy.clone();
            if (entropy != null && (entropy.length < 16 || entropy.length > 512)) {
                throw new IllegalArgumentException("entropy must be 16 to 512 bytes");
            }
        }

        public String type() {
            return "configure";
        }
    }
}
