package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.ExecSession;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.errors.VmException;

import java.io.Closeable;
import java.util.function.Function;

/**
 * A command running in a sandbox with the caller attached: its stdin, signals and terminal size go to it through
 * {@link #session()}, its output to the streams it was started with. Closing it before the command ends hangs it
 * up (the agent sends SIGHUP, then SIGKILL).
 */
public final class AttachedCommand implements Closeable {
    private final AgentConnection agent;
    private final ExecSession session;
    private final Function<VmException, RuntimeException> onLostAgent;

    AttachedCommand(AgentConnection agent, ExecSession session, Function<VmException, RuntimeException> onLostAgent) {
        this.agent = agent;
        this.session = session;
        this.onLostAgent = onLostAgent;
    }

    public ExecSession session() {
        return session;
    }

    /** Waits for the command to end; a sandbox removed meanwhile ends the wait with {@link SandboxRemovedException}. */
    public ExitStatus waitFor() {
        try {
            return session.waitFor(null);
        } catch (VmException e) {
            throw onLostAgent.apply(e);
        }
    }

    @Override
    public void close() {
        agent.close();
    }
}
