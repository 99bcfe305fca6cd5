package dev.agentkernel.sandbox;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.ProcessIdentity;
import dev.agentkernel.rootfs.ConversionListener;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * One command in a fresh sandbox that is removed afterwards, whatever happens: the sandbox records this JVM as
 * its owner, so if the JVM dies without removing it the next command that lists sandboxes does; a JVM stopped
 * by a signal removes it from a shutdown hook. {@link #abort} removes it while the command runs (the command
 * then ends with an error), for a caller that has nobody left to give the result to.
 */
public final class OneShotRun {
    /** Where a run is, for callers that report progress. */
    public interface Listener {
        void stage(String stage);

        Listener NONE = stage -> { };
    }

    /** What to run, and in what: the image and the command as {@code run} takes them. */
    public record Spec(String image, ExecRequest exec, int memoryMb, int cpus) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SandboxService service;
    private final SandboxName name;
    private final ProcessIdentity owner = ProcessIdentity.current();
    private volatile boolean aborted;

    public OneShotRun(SandboxService service, String prefix) {
        this.service = service;
        this.name = SandboxName.of(prefix + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4)));
    }

    public SandboxName name() {
        return name;
    }

    /** Creates the sandbox, runs the command and removes the sandbox; the listener hears "created", "executing". */
    public RunResult run(Spec spec, Listener listener) {
        return within(spec, listener, () -> new SandboxExec(service).run(name, spec.exec()));
    }

    /** As {@link #run}, the command's output going to the streams as the guest produces it. */
    public dev.agentkernel.agent.ExitStatus stream(Spec spec, Listener listener, java.io.OutputStream stdout,
                                                   java.io.OutputStream stderr) {
        return within(spec, listener, () -> new SandboxProcesses(service).stream(name, spec.exec(), stdout, stderr));
    }

    private <T> T within(Spec spec, Listener listener, java.util.function.Supplier<T> command) {
        Thread cleanup = new Thread(() -> service.abandon(name, owner), "one-shot-cleanup-" + name);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (aborted) {
                throw new SandboxConflictException("the run was cancelled before its sandbox was made");
            }
            service.create(new CreateRequest(name, spec.image(), spec.memoryMb(), spec.cpus(), Map.of(), null,
                    Map.of(), null, true, null, null, null, owner, null), ConversionListener.NONE);
            if (aborted) {
                throw new SandboxConflictException("the run was cancelled");
            }
            listener.stage("created");
            listener.stage("executing");
            return command.get();
        } finally {
            try {
                if (service.store().exists(name)) {
                    service.remove(name, true);
                }
            } catch (RuntimeException e) {
                service.abandon(name, owner);
            } finally {
                CommandRunner.removeShutdownHook(cleanup);
            }
        }
    }

    /** Removes the sandbox now (after a create in progress), ending its command; a later create is refused. */
    public void abort() {
        aborted = true;
        try {
            if (service.store().exists(name)) {
                service.remove(name, true);
            }
        } catch (NoSuchSandboxException gone) {
            // removed meanwhile by the run itself
        }
    }
}
