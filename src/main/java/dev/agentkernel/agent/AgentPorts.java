package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The agent ports of one QEMU sandbox as a pool (docs/PROTOCOL.md, transports): {@link #open} takes the first
 * free port by its lock file ({@code ports/agent.lock}, {@code ports/agent-N.lock}), connects to its socket
 * ({@code agent.sock}, {@code agent-N.sock}) and says {@code hello}; closing the connection frees the port.
 * When all are taken it waits, polling, up to the port wait, then says so.
 */
public final class AgentPorts implements AgentConnector {
    public static final Duration DEFAULT_PORT_WAIT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MS = 50;
    private static final Duration FIRST_HELLO_WAIT = Duration.ofMillis(250);

    private final Path sandboxDir;
    private final int ports;
    private final Duration portWait;
    private final Duration helloTimeout;

    public AgentPorts(Path sandboxDir) {
        this(sandboxDir, AgentPortLayout.PORTS, DEFAULT_PORT_WAIT, AgentConnection.HELLO_TIMEOUT);
    }

    /**
     * @param ports how many of the sandbox's ports the guest serves (1 for a version-1 agent, else 16)
     */
    public AgentPorts(Path sandboxDir, int ports, Duration portWait, Duration helloTimeout) {
        if (ports < 1 || ports > AgentPortLayout.PORTS) {
            throw new IllegalArgumentException("a sandbox has 1 to " + AgentPortLayout.PORTS + " agent ports");
        }
        this.sandboxDir = sandboxDir;
        this.ports = ports;
        this.portWait = portWait;
        this.helloTimeout = helloTimeout;
    }

    /**
     * A port whose agent does not answer {@code hello} in time is skipped (its guest side may still be ending
     * the session of a client that was killed, or was reopening its port as we connected and dropped the
     * hello); the last such error is reported when no port answers. The first pass gives each port
     * {@link #FIRST_HELLO_WAIT}, since another port answers at once, and each pass doubles it up to the
     * hello timeout (a loaded guest may be slow on every port). An unanswered hello is harmless: the next
     * client of that port skips its late answer.
     */
    @Override
    public AgentConnection open() {
        Instant deadline = Instant.now().plus(portWait);
        VmException lastRefusal = null;
        Duration hello = FIRST_HELLO_WAIT.compareTo(helloTimeout) < 0 ? FIRST_HELLO_WAIT : helloTimeout;
        while (true) {
            for (int i = 0; i < ports; i++) {
                Optional<PortLock> lock = take(i);
                if (lock.isPresent()) {
                    try {
                        return connect(i, lock.get(), hello);
                    } catch (AgentProtocolException e) {
                        throw e;
                    } catch (VmException e) {
                        lastRefusal = e;
                    }
                }
            }
            hello = hello.multipliedBy(2).compareTo(helloTimeout) > 0 ? helloTimeout : hello.multipliedBy(2);
            if (Instant.now().isAfter(deadline)) {
                if (lastRefusal != null) {
                    throw lastRefusal;
                }
                throw new VmException("all " + ports + " agent ports of " + sandboxDir + " stayed in use for "
                        + portWait.toSeconds() + " s (as many commands and copies run at once); try again when one"
                        + " has finished");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while waiting for a free agent port of " + sandboxDir, e);
            }
        }
    }

    private Optional<PortLock> take(int port) {
        try {
            return PortLock.tryTake(AgentPortLayout.lockFile(sandboxDir, port));
        } catch (IOException e) {
            throw new VmException("cannot lock agent port " + AgentPortLayout.portName(port) + " of " + sandboxDir + ": "
                    + e.getMessage(), e);
        }
    }

    private AgentConnection connect(int port, PortLock lock, Duration helloWait) {
        String label = "port " + AgentPortLayout.portName(port) + " of " + sandboxDir;
        AgentChannel channel;
        try {
            channel = new VirtioSerialTransport(AgentPortLayout.socket(sandboxDir, port))
                    .connect(Instant.now().plus(CONNECT_TIMEOUT));
        } catch (IOException e) {
            closeQuietly(lock);
            throw new VmException("cannot connect to the guest agent on " + label + ": " + e.getMessage()
                    + "; is the sandbox running?", e);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
        return AgentConnection.open(channel, helloWait, label, lock);
    }

    private static void closeQuietly(PortLock lock) {
        try {
            lock.close();
        } catch (IOException ignored) {
            // the connect error is the one to report
        }
    }
}
