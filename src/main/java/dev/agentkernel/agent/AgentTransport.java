package dev.agentkernel.agent;

import java.io.IOException;
import java.time.Instant;

/** How the host reaches a VM's agent: the monitor exposes it as a Unix socket on the host. */
public interface AgentTransport {
    /**
     * Connects, retrying while the monitor or the guest is still starting, until {@code deadline}.
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first
     */
    AgentChannel connect(Instant deadline) throws IOException;
}
