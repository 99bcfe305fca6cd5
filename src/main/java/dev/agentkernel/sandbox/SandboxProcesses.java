package dev.agentkernel.sandbox;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentPorts;
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
import java.time.Duration;
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

    private final SandboxService service;
    private final SandboxExec exec;

    public SandboxProcesses(SandboxService service) {
        this.service = service;
        this.exec = new SandboxExec(service);
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
        SandboxRecord record = exec.settled(name);
        SandboxDirectory dir = service.store().directory(name);
        exec.requireRunning(record, dir);
        ExecSpec spec = spec(record, request);
        if (terminal != null) {
            spec = spec.withTty(terminal.rows(), terminal.cols());
        }
        AgentConnection agent = SandboxConnections.open(dir, AgentPorts.DEFAULT_PORT_WAIT);
        try {
            ExecSession session = agent.start(spec, stdout, stderr);
            return new AttachedCommand(agent, session, e -> lostAgent(name, e));
        } catch (RuntimeException e) {
            agent.close();
            throw e instanceof VmException v ? lostAgent(name, v) : e;
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

    private interface AgentCall<T> {
        T apply(SandboxRecord record, AgentConnection agent);
    }

    private <T> T withAgent(SandboxName name, AgentCall<T> call) {
        SandboxRecord record = exec.settled(name);
        SandboxDirectory dir = service.store().directory(name);
        exec.requireRunning(record, dir);
        try (AgentConnection agent = SandboxConnections.open(dir, AgentPorts.DEFAULT_PORT_WAIT)) {
            return call.apply(record, agent);
        } catch (VmException e) {
            throw lostAgent(name, e);
        }
    }

    /** What losing the agent means: the sandbox was removed under the command, or the error as it is. */
    private RuntimeException lostAgent(SandboxName name, VmException e) {
        exec.awaitUnlocked(name, Duration.ofSeconds(10));
        if (!service.store().exists(name)) {
            return new SandboxRemovedException("sandbox '" + Quote.escape(name.value(), Quote.MAX_CHARS)
                    + "' was removed while the command ran", e);
        }
        return e;
    }

}
