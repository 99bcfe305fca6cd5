package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentConnector;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.AgentPorts;
import dev.agentkernel.agent.VsockAgents;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.vm.Backend;

import java.nio.file.Files;
import java.time.Duration;

/**
 * How the host reaches a running sandbox's agent, by the backend its disk was made for: QEMU's virtio-serial
 * ports (one client per port, locked) or Firecracker's vsock socket (a guest server per connection).
 */
final class SandboxConnections {
    private SandboxConnections() {
    }

    /** A version-2 connection, {@code hello} done, waiting up to {@code wait} for a free port or the guest. */
    static AgentConnection open(SandboxDirectory dir, Duration wait) {
        return connector(dir, wait).open();
    }

    static AgentConnector connector(SandboxDirectory dir, Duration wait) {
        if (!Files.isDirectory(dir.path())) {
            // removed meanwhile: taking a port's lock would create the sandbox's directory again
            throw new VmException("the sandbox at " + dir.path() + " was removed");
        }
        if (dir.diskBackend() == Backend.FIRECRACKER) {
            return new VsockAgents(dir.vsockSocket(), wait, AgentConnection.HELLO_TIMEOUT);
        }
        if (!Files.isDirectory(dir.path().resolve("ports"))) {
            throw new VmException("the sandbox at " + dir.path() + " was removed");
        }
        return new AgentPorts(dir.path(), AgentPortLayout.PORTS, wait, AgentConnection.HELLO_TIMEOUT);
    }
}
