package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.time.Duration;

/** Commands in running sandboxes, each on an agent port of its own, so several run at once. */
public final class SandboxExec {
    /** How long a command waits for a free agent port. */
    private static final Duration PORT_WAIT = Duration.ofSeconds(60);

    private final SandboxService service;

    public SandboxExec(SandboxService service) {
        this.service = service;
    }

    /** Runs a command to its end and returns its output (buffered, bounded by the agent). */
    public RunResult run(SandboxName name, ExecRequest request) {
        SandboxRecord record = service.store().get(name);
        SandboxDirectory dir = service.store().directory(name);
        requireRunning(record, dir);
        ExecEnvironment e = ExecEnvironment.resolve(record, request);
        if (e.user() != null && !e.user().equals("root") && !e.user().equals("0")) {
            throw new UserInputException("running as user '" + e.user() + "' needs the streaming agent protocol");
        }
        try (PortLease lease = PortLease.connectAny(dir, PORT_WAIT)) {
            return lease.client().run(new AgentRequest.Run(e.command(), e.cwd(), e.env(), request.timeoutMs()));
        } catch (IOException ex) {
            throw lost(name, ex);
        } catch (VmException ex) {
            throw service.store().exists(name) ? ex : lost(name, ex);
        }
    }

    private VmException lost(SandboxName name, Exception cause) {
        if (!service.store().exists(name)) {
            return new VmException("sandbox '" + name + "' was removed while the command ran", cause);
        }
        return new VmException("lost the connection to sandbox '" + name + "': " + cause.getMessage(), cause);
    }

    void requireRunning(SandboxRecord record, SandboxDirectory dir) {
        SandboxStatus status = service.status(record, dir);
        if (status != SandboxStatus.RUNNING) {
            throw new SandboxConflictException("sandbox '" + record.name() + "' is " + status.text()
                    + "; start it with: agentkernel start " + record.name());
        }
    }
}
