package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentPorts;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.time.Duration;
import java.util.function.Function;

/**
 * A version-2 agent connection to a running sandbox for one piece of work (a copy, a file read or write), on
 * an agent port of its own (or a vsock connection: {@link SandboxConnections}). A sandbox removed meanwhile ends the work with {@link SandboxRemovedException}.
 */
public final class SandboxAgents {
    private final SandboxService service;
    private final SandboxExec exec;

    public SandboxAgents(SandboxService service) {
        this.service = service;
        this.exec = new SandboxExec(service);
    }

    /** Runs {@code work} on a connection to the running sandbox {@code name}; {@code what} names it for messages. */
    public <T> T with(SandboxName name, String what, Function<AgentConnection, T> work) {
        SandboxRecord record = exec.settled(name);
        SandboxDirectory dir = service.store().directory(name);
        exec.requireRunning(record, dir);
        try (AgentConnection agent = SandboxConnections.open(dir, AgentPorts.DEFAULT_PORT_WAIT)) {
            return work.apply(agent);
        } catch (VmException e) {
            exec.awaitUnlocked(name, Duration.ofSeconds(10));
            if (!service.store().exists(name)) {
                throw new SandboxRemovedException("sandbox '" + Quote.escape(name.value(), Quote.MAX_CHARS)
                        + "' was removed during " + what, e);
            }
            throw e;
        }
    }
}
