package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentChannel;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.VirtioSerialTransport;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.FileLocks;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An agent client on one of the sandbox's agent ports, taken by an exclusive lock on the port's lock file for
 * as long as the lease is open (a killed process's lock goes with it). Close it on the thread that opened it.
 */
record PortLease(AgentClient client, FileLocks.Held port) implements Closeable {
    /** Ports the guest agent serves: each is a connection of its own. */
    /** How long a port may take to answer the sync ping before it counts as busy. */
    private static final Duration SYNC_WAIT = Duration.ofSeconds(2);

    static final int SERVED_PORTS = dev.agentkernel.agent.AgentPortLayout.PORTS;

    /** A client on the first free port, waiting for one up to {@code wait}. */
    static PortLease connectAny(SandboxDirectory dir, Duration wait) throws IOException {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            if (!java.nio.file.Files.isDirectory(dir.path().resolve("ports"))) {
                // removed meanwhile: taking a lock would create the directory again
                throw new VmException("the sandbox at " + dir.path() + " was removed");
            }
            for (int i = 0; i < SERVED_PORTS; i++) {
                Optional<FileLocks.Held> held = FileLocks.tryExclusive(AgentPortLayout.lockFile(dir.path(), i));
                if (held.isPresent()) {
                    AgentChannel channel = null;
                    try {
                        channel = new VirtioSerialTransport(AgentPortLayout.socket(dir.path(), i))
                                .connect(Instant.now().plusSeconds(2));
                        if (dev.agentkernel.agent.PingSync.inStep(channel, SYNC_WAIT)) {
                            return new PortLease(new AgentClient(channel), held.get());
                        }
                    } catch (IOException | RuntimeException e) {
                        // this port does not answer: try the next one
                    }
                    closeQuietly(channel);
                    held.get().close();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new VmException("all " + SERVED_PORTS + " agent ports of " + dir.path()
                        + " are in use; try again when a command has finished");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while waiting for a free agent port");
            }
        }
    }

    private static void closeQuietly(AgentChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the port is released anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            port.close();
        }
    }
}
