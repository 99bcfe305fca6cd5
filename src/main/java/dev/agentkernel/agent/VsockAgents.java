package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Connections to the agent of a Firecracker guest over vsock. Each vsock connection gets its own server process
 * in the guest, so, unlike QEMU's virtio-serial ports ({@link AgentPorts}), there is nothing to lock and no
 * limit but the guest's: every {@link #open} is a new {@code CONNECT 52000} on Firecracker's Unix socket.
 */
public final class VsockAgents implements AgentConnector {
    private final Path udsPath;
    private final Duration connectWait;
    private final Duration helloTimeout;

    public VsockAgents(Path udsPath, Duration connectWait, Duration helloTimeout) {
        this.udsPath = udsPath;
        this.connectWait = connectWait;
        this.helloTimeout = helloTimeout;
    }

    @Override
    public AgentConnection open() {
        AgentChannel channel;
        try {
            channel = new FirecrackerVsockTransport(udsPath, FirecrackerVsockTransport.AGENT_PORT)
                    .connect(Instant.now().plus(connectWait));
        } catch (IOException e) {
            throw new VmException("cannot reach the guest agent over vsock at " + udsPath + ": " + e.getMessage(), e);
        }
        return AgentConnection.open(channel, helloTimeout, "vsock " + udsPath, null);
    }
}
