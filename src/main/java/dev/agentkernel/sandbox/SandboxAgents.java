package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentPorts;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.time.Duration;
import java.util.function.Function;

/**
 * Version-2 agent connections to a running sandbox, one per piece of work (a command, a copy, a file read or
 * write), on an agent port of its own or a vsock connection ({@link SandboxConnections}). The one place that
 * turns a lost agent into {@link SandboxRemovedException} when the sandbox was removed meanwhile.
 */
public final class SandboxAgents {
    /** Work that also needs the sandbox's record (its image settings, to resolve a command). */
    public interface Work<T> {
        T apply(SandboxRecord record, AgentConnection agent);
    }

    /** A connection the caller keeps and closes, with the record of the sandbox it reaches. */
    record Opened(SandboxRecord record, AgentConnection agent) {
    }

    private final SandboxService service;
    private final SandboxExec exec;

    public SandboxAgents(SandboxService service) {
        this.service = service;
        this.exec = new SandboxExec(service);
    }

    /** Runs {@code work} on a connection to the running sandbox {@code name}; {@code what} names it for messages. */
    public <T> T with(SandboxName name, String what, Function<AgentConnection, T> work) {
        return with(name, what, (record, agent) -> work.apply(agent));
    }

    public <T> T with(SandboxName name, String what, Work<T> work) {
        Opened opened = open(name, what);
        try (AgentConnection agent = opened.agent()) {
            return work.apply(opened.record(), agent);
        } catch (VmException e) {
            throw lost(name, what, e);
        }
    }

    /** A connection to the running sandbox {@code name}, for work that outlives one call (an attached command). */
    Opened open(SandboxName name, String what) {
        SandboxRecord record = exec.settled(name);
        SandboxDirectory dir = service.store().directory(name);
        exec.requireRunning(record, dir);
        try {
            return new Opened(record, SandboxConnections.open(dir, AgentPorts.DEFAULT_PORT_WAIT));
        } catch (VmException e) {
            throw lost(name, what, e);
        }
    }

    /** What losing the agent during {@code what} means: the sandbox was removed, or the error as it is. */
    RuntimeException lost(SandboxName name, String what, VmException e) {
        exec.awaitUnlocked(name, Duration.ofSeconds(10));
        if (!service.store().exists(name)) {
            return new SandboxRemovedException("sandbox '" + Quote.escape(name.value(), Quote.MAX_CHARS)
                    + "' was removed while " + what + " ran", e);
        }
        return e;
    }
}
