package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.DetachedInfo;
import dev.agentkernel.agent.DetachedProcess;
import dev.agentkernel.agent.ExecSession;
import dev.agentkernel.agent.ExecSpec;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.agent.LogChunk;
import dev.agentkernel.agent.LogStream;
import dev.agentkernel.errors.VmException;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Commands in running sandboxes over the version-2 agent protocol: attached commands whose output goes to the
 * caller's streams as the guest produces it, and detached commands (start, list, logs, kill) that run on
 * without any host connection. Each call takes an agent port of its own.
 */
public final class SandboxProcesses {
    /** The most of one detached command's log a single {@link #log} returns. */
    public static final int MAX_LOG_BYTES = 8 * 1024 * 1024;
    private static final int LOG_CHUNK = 1024 * 1024;

    /** How messages name what was running when a sandbox was removed under it. */
    private static final String WORK = "the command";

    private final SandboxAgents agents;

    public SandboxProcesses(SandboxService service) {
        this.agents = new SandboxAgents(service);
    }

    /** The agent's command for {@code request} in {@code record}: the image's and sandbox's settings applied. */
    private static ExecSpec spec(SandboxRecord record, ExecRequest request) {
        ExecEnvironment e = ExecEnvironment.resolve(record, request);
        return new ExecSpec(e.command(), e.cwd(), e.env(), e.user(), false, ExecSpec.DEFAULT_ROWS, ExecSpec.DEFAULT_COLS,
                request.stdin(), request.timeoutMs(), false);
    }

    /**
     * Starts a command and leaves the caller attached to it: stdin (when {@code request.stdin()}), signals and,
     * with a terminal size, a pseudo-terminal of that size; output goes to the streams as the guest produces it
     * (with a terminal, all of it to {@code stdout}). The caller closes what it gets.
     */
    public AttachedCommand attach(SandboxName name, ExecRequest request, TerminalSize terminal, OutputStream stdout,
                                  OutputStream stderr) {
        SandboxAgents.Opened opened = agents.open(name, WORK);
        AgentConnection agent = opened.agent();
        try {
            ExecSpec spec = spec(opened.record(), request);
            if (terminal != null) {
                spec = spec.withTty(terminal.rows(), terminal.cols());
            }
            ExecSession session = agent.start(spec, stdout, stderr);
            return new AttachedCommand(agent, session, e -> agents.lost(name, WORK, e));
        } catch (RuntimeException e) {
            agent.close();
            throw e instanceof VmException v ? agents.lost(name, WORK, v) : e;
        }
    }

    /**
     * Runs a command to its end, writing its stdout and stderr to the streams as they arrive (on the agent
     * connection's reader thread; a slow stream slows the command). Removing the sandbox ends it with
     * {@link SandboxRemovedException}.
     */
    public ExitStatus stream(SandboxName name, ExecRequest request, OutputStream stdout, OutputStream stderr) {
        return withAgent(name, (record, agent) -> {
            ExecSession session = agent.start(spec(record, request), stdout, stderr);
            return session.waitFor(null);
        });
    }

    public DetachedProcess detach(SandboxName name, ExecRequest request) {
        return withAgent(name, (record, agent) -> agent.startDetached(spec(record, request)));
    }

    /** The sandbox's detached commands, oldest first. */
    public List<DetachedInfo> list(SandboxName name) {
        return withAgent(name, (record, agent) -> agent.list());
    }

    /** One detached command, or {@link NoSuchSandboxException} (404) naming it. */
    public DetachedInfo find(SandboxName name, long session) {
        return list(name).stream().filter(d -> d.session() == session).findFirst()
                .orElseThrow(() -> noSuchCommand(name, session));
    }

    /** A detached command's stdout or stderr from its start, at most {@link #MAX_LOG_BYTES} (the rest dropped). */
    public byte[] log(SandboxName name, long session, LogStream stream) {
        return withAgent(name, (record, agent) -> {
            if (agent.list().stream().noneMatch(d -> d.session() == session)) {
                throw noSuchCommand(name, session);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long offset = 0;
            while (out.size() < MAX_LOG_BYTES) {
                LogChunk chunk = agent.logs(session, stream, offset, Math.min(LOG_CHUNK, MAX_LOG_BYTES - out.size()));
                out.write(chunk.content(), 0, chunk.content().length);
                offset = chunk.nextOffset();
                if (chunk.eof() || chunk.content().length == 0) {
                    break;
                }
            }
            return out.toByteArray();
        });
    }

    /** Sends SIGTERM to a running detached command's process group; one that has ended is a conflict. */
    public void kill(SandboxName name, long session) {
        kill(name, session, "TERM");
    }

    /** Sends {@code signal} ("TERM", "KILL", "9") to a running detached command's process group. */
    public void kill(SandboxName name, long session, String signal) {
        withAgent(name, (record, agent) -> {
            DetachedInfo info = agent.list().stream().filter(d -> d.session() == session).findFirst()
                    .orElseThrow(() -> noSuchCommand(name, session));
            if (!info.running()) {
                throw new SandboxConflictException("detached command " + session + " of sandbox '" + name
                        + "' has already ended (exit code " + info.exitCode() + ")");
            }
            agent.kill(session, signal);
            return null;
        });
    }

    private static NoSuchSandboxException noSuchCommand(SandboxName name, long session) {
        return new NoSuchSandboxException("no detached command " + session + " in sandbox '" + name + "'");
    }

    private <T> T withAgent(SandboxName name, SandboxAgents.Work<T> work) {
        return agents.with(name, WORK, work);
    }
}
