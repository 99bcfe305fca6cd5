package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;

import dev.agentkernel.store.FileLocks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Commands in running sandboxes, each on an agent port of its own, so several run at once. */
public final class SandboxExec {
    /** How long a command waits for a free agent port. */
    private static final Duration PORT_WAIT = Duration.ofSeconds(60);
    /** How long a command waits for a create, start or stop of its sandbox in progress (a boot) to finish. */
    private static final Duration LIFECYCLE_WAIT = Duration.ofMinutes(3);

    private final SandboxService service;

    public SandboxExec(SandboxService service) {
        this.service = service;
    }

    /** Runs a command to its end and returns its output (buffered, bounded by the agent). */
    public RunResult run(SandboxName name, ExecRequest request) {
        SandboxRecord record = settled(name);
        SandboxDirectory dir = service.store().directory(name);
        requireRunning(record, dir);
        ExecEnvironment e = ExecEnvironment.resolve(record, request);
        if (e.user() != null && !e.user().equals("root") && !e.user().equals("0")) {
            throw new UserInputException("running as user '" + e.user() + "' needs the streaming agent protocol");
        }
        try (AgentClient client = client(dir, PORT_WAIT)) {
            return client.run(new AgentRequest.Run(e.command(), e.cwd(), e.env(), request.timeoutMs()));
        } catch (VmException ex) {
            throw gone(name) ? removed(name, ex) : ex;
        }
    }

    /** A version-1 client on the first free agent port of the sandbox, in step (hello), waiting up to {@code wait}. */
    static AgentClient client(SandboxDirectory dir, Duration wait) {
        return new AgentClient(SandboxConnections.open(dir, wait));
    }

    /** Whether the sandbox is gone, once an rm -f that killed its monitor (and so broke the command) has finished. */
    private boolean gone(SandboxName name) {
        awaitUnlocked(name, Duration.ofSeconds(10));
        return !service.store().exists(name);
    }

    private static SandboxRemovedException removed(SandboxName name, Exception cause) {
        return new SandboxRemovedException("sandbox '" + name + "' was removed while the command ran", cause);
    }

    /**
     * The sandbox's record once nobody is changing it: a sandbox that is not running while another command holds
     * its lock (being created, started, stopped or removed) is waited for, up to {@link #LIFECYCLE_WAIT}, so a
     * command sent right after a create or start runs rather than failing on a half-made sandbox.
     */
    SandboxRecord settled(SandboxName name) {
        SandboxRecord record = service.store().get(name);
        if (service.status(record, service.store().directory(name)) == SandboxStatus.RUNNING) {
            return record;
        }
        if (!awaitUnlocked(name, LIFECYCLE_WAIT)) {
            throw new SandboxConflictException("sandbox '" + name + "' is being created, started, stopped or"
                    + " removed by another command for over " + LIFECYCLE_WAIT.toMinutes() + " minutes; try again");
        }
        return service.store().get(name); // gone now if it was being removed
    }

    /** Waits until nobody holds the sandbox's lock, at most {@code limit}; whether it came free. */
    boolean awaitUnlocked(SandboxName name, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            Optional<FileLocks.Held> free = service.store().tryLock(name);
            if (free.isPresent()) {
                free.get().close();
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    void requireRunning(SandboxRecord record, SandboxDirectory dir) {
        SandboxStatus status = service.status(record, dir);
        if (status == SandboxStatus.PAUSED) {
            throw new SandboxConflictException("sandbox '" + record.name() + "' is paused; resume it with:"
                    + " agentkernel resume " + record.name() + " (or exec --auto-resume)");
        }
        if (status != SandboxStatus.RUNNING) {
            throw new SandboxConflictException("sandbox '" + record.name() + "' is " + status.text()
                    + "; start it with: agentkernel start " + record.name());
        }
    }
}
