package dev.agentkernel.agent;

import java.nio.file.Path;

/**
 * The agent's virtio-serial ports of a QEMU sandbox (see docs/PROTOCOL.md): port 0 is named {@code agent} (the
 * one version-1 hosts use), the others {@code agent-1} ... {@code agent-15}; the host side of each is a Unix
 * socket in the sandbox directory, and a host process takes a port by an exclusive lock on its lock file.
 */
public final class AgentPortLayout {
    /** Ports per sandbox: how many host processes can talk to one guest at once. */
    public static final int PORTS = 16;

    private AgentPortLayout() {
    }

    public static String portName(int index) {
        checkIndex(index);
        return index == 0 ? "agent" : "agent-" + index;
    }

    public static Path socket(Path sandboxDir, int index) {
        return sandboxDir.resolve(portName(index) + ".sock");
    }

    public static Path lockFile(Path sandboxDir, int index) {
        return sandboxDir.resolve("ports").resolve(portName(index) + ".lock");
    }

    private static void checkIndex(int index) {
        if (index < 0 || index >= PORTS) {
            throw new IllegalArgumentException("agent port " + index + " is not in 0.." + (PORTS - 1));
        }
    }
}
