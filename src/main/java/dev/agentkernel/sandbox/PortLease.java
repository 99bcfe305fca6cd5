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
    /**
     * How long a port may first take to answer the sync ping before the next port is tried: short, because a
     * port whose guest side was reopening as we connected can drop the ping, and another port answers at once.
     * Each pass over all ports doubles it (a loaded guest may be slow everywhere), up to {@link #MAX_SYNC_WAIT}.
     * An unanswered ping is harmless: the next client of that port skips its late answer.
     */
    private static final Duration FIRST_SYNC_WAIT = Duration.ofMillis(250);
    private static final Duration MAX_SYNC_WAIT = Duration.ofSeconds(4);

    /** Ports the guest agent serves: each is a connection of its own. */
    static final int SERVED_PORTS = dev.agentkernel.agent.AgentPortLayout.PORTS;

    /** A client on the first free port, waiting for one up to {@code wait}. */
    static PortLease connectAny(SandboxDirectory dir, Duration wait) throws IOException {
        Instant deadline = Instant.now().plus(wait);
        Duration syncWait = FIRST_SYNC_WAIT;
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
                        if (dev.agentkernel.agent.PingSync.inStep(channel, syncWait)) {
                            return new PortLease(new AgentClient(channel), held.get());
                        }
                    } catch (IOException | RuntimeException e) {
                        // this port does not answer: try the next one
                    }
                    closeQuietly(channel);
                    held.get().close();
                }
            }
            syncWait = syncWait.multipliedBy(2).compareTo(MAX_SYNC_WAIT) > 0 ? MAX_SYNC_WAIT : syncWait.multipliedBy(2);
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
