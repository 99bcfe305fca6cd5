package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentChannel;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentTransport;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * One booted microVM with its own disk, reachable through its agent. {@link #start} copies the cached rootfs,
 * starts the monitor and waits for the agent's first ping; {@link #close} asks the guest to power off, kills
 * the monitor if it does not, and deletes the sandbox's files (unless kept). A shutdown hook does the same
 * when the JVM ends early (Ctrl-C).
 */
public final class Sandbox implements AutoCloseable {
    /** Unix socket paths are limited to 108 bytes by the kernel. */
    private static final int MAX_SOCKET_PATH = 100;
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
    private static final int CONSOLE_LINES = 15;

    private final VmSpec spec;
    private final boolean keep;
    private final Thread shutdownHook;
    private VmProcess process;
    private AgentClient agent;
    private boolean closed;
    private final Timings timings = new Timings();

    /** How long each step took. */
    public static final class Timings {
        public Duration copyDisk = Duration.ZERO;
        public Duration boot = Duration.ZERO;
        public Duration shutdown = Duration.ZERO;
    }

    private Sandbox(VmSpec spec, boolean keep) {
        this.spec = spec;
        this.keep = keep;
        this.shutdownHook = new Thread(this::closeQuietly, "sandbox-cleanup");
    }

    /** Starts a sandbox and returns once its agent answered; on any failure nothing is left behind. */
    public static Sandbox start(AgentkernelHome home, SandboxOptions options, Map<String, String> env) {
        return prepare(home, options, env).start(options.rootfs());
    }

    /**
     * Everything a sandbox needs but its disk: the monitor and the checked kernel. Preparing first lets a
     * missing monitor or an unsuitable kernel fail before an image is converted.
     */
    public static Launch prepare(AgentkernelHome home, SandboxOptions options, Map<String, String> env) {
        Backend backend = Backend.choose(options.backend(), env);
        Path program = backend.require(env);
        Path qemuForProbe = Backend.QEMU.find(env).orElse(program);
        PreparedKernel kernel = new KernelSetup(home, KernelLocator.system(), qemuForProbe)
                .prepare(options.kernel(), backend == Backend.QEMU ? options.accelerator() : Accelerator.KVM);
        Driver transport = backend == Backend.QEMU ? Driver.VIRTIO_CONSOLE : Driver.VSOCK;
        if (!kernel.report().supports(transport)) {
            throw new VmException("kernel " + kernel.kernel() + " lacks " + transport.moduleName() + " ("
                    + transport.configSymbol() + "), which the " + backend.cliName() + " backend needs for "
                    + transport.purpose());
        }
        if (backend == Backend.FIRECRACKER) {
            FirecrackerMonitor.requireElfKernel(kernel.kernel());
        }
        Monitor monitor = backend == Backend.QEMU ? new QemuMonitor(program) : new FirecrackerMonitor(program);
        return new Launch(home, monitor, kernel, options);
    }

    /** A prepared monitor and kernel; {@link #start} boots a sandbox on a copy of a root file system. */
    public record Launch(AgentkernelHome home, Monitor monitor, PreparedKernel kernel, SandboxOptions options) {
        /** The backend this launch's monitor is. */
        public Backend backend() {
            return monitor instanceof FirecrackerMonitor ? Backend.FIRECRACKER : Backend.QEMU;
        }

        public Sandbox start(Path rootfs) {
            if (rootfs == null || !Files.isRegularFile(rootfs)) {
                throw new UserInputException("root file system " + rootfs + " does not exist");
            }
            Path dir = newSandboxDir(home);
            VmSpec spec = new VmSpec(kernel, dir.resolve("disk.ext4"), VmSpec.DiskFormat.RAW, options.memoryMb(),
                    options.cpus(), dir, dev.agentkernel.agent.AgentPortLayout.PORTS);
            Sandbox sandbox = new Sandbox(spec, options.keep());
            Runtime.getRuntime().addShutdownHook(sandbox.shutdownHook);
            try {
                sandbox.boot(monitor, rootfs, options.bootTimeout());
                return sandbox;
            } catch (RuntimeException e) {
                sandbox.close();
                throw e;
            }
        }
    }

    private static Path newSandboxDir(AgentkernelHome home) {
        String name = "sb-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        Path dir = home.sandboxes().resolve(name);
        if (dir.resolve("agent.sock").toString().length() > MAX_SOCKET_PATH) {
            throw new UserInputException("the data directory " + home.root() + " is too deep for Unix sockets ("
                    + MAX_SOCKET_PATH + " bytes at most): set AGENTKERNEL_HOME to a shorter path");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new VmException("cannot create the sandbox directory " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    private void boot(Monitor monitor, Path rootfs, Duration bootTimeout) {
        Instant t0 = Instant.now();
        DiskCopy.copy(rootfs, spec.disk());
        Instant t1 = Instant.now();
        timings.copyDisk = Duration.between(t0, t1);
        process = VmProcess.start(monitor.command(spec), spec.sandboxDir().resolve("monitor.log"), spec.consoleLog());
        agent = connect(monitor.transport(spec), t1.plus(bootTimeout), bootTimeout);
        timings.boot = Duration.between(t1, Instant.now());
    }

    /** Connects and pings until the deadline; a VM that ends or never answers gives its last console lines. */
    private AgentClient connect(AgentTransport transport, Instant deadline, Duration bootTimeout) {
        AgentChannel channel = null;
        try {
            while (channel == null) {
                if (!process.isAlive()) {
                    throw stoppedEarly();
                }
                if (Instant.now().isAfter(deadline)) {
                    throw timedOut(bootTimeout);
                }
                try {
                    Instant attempt = Instant.now().plusSeconds(2);
                    channel = transport.connect(attempt.isBefore(deadline) ? attempt : deadline);
                } catch (IOException e) {
                    // not up yet: look at the process and try again
                }
            }
            AgentClient client = new AgentClient(channel);
            client.ping(Duration.between(Instant.now(), deadline).plusMillis(1));
            return client;
        } catch (NotBooted e) {
            if (channel != null) {
                closeChannel(channel);
            }
            throw e;
        } catch (VmException e) { // from the agent client: the ping failed or timed out
            if (channel != null) {
                closeChannel(channel);
            }
            process.waitFor(Duration.ofMillis(500));
            if (!process.isAlive()) {
                throw stoppedEarly();
            }
            // A ping that used up the boot deadline is the plain timeout; anything earlier is a real error.
            throw Instant.now().isBefore(deadline) ? notBooted("the VM's agent did not answer: " + e.getMessage())
                    : timedOut(bootTimeout);
        }
    }

    /** A boot that failed; its message already carries the console's last lines. */
    private static final class NotBooted extends VmException {
        NotBooted(String message) {
            super(message);
        }
    }

    private NotBooted stoppedEarly() {
        return notBooted("the VM stopped before its agent answered (exit code " + process.exitValue() + ")");
    }

    private NotBooted timedOut(Duration bootTimeout) {
        return notBooted("the VM's agent did not answer within " + bootTimeout.toSeconds() + " s");
    }

    private NotBooted notBooted(String what) {
        return new NotBooted(what + "; is the agent in the image (convert without --no-agent) and can the kernel"
                + " mount it?" + process.lastLines(CONSOLE_LINES));
    }

    private static void closeChannel(AgentChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the VM is being torn down
        }
    }

    /**
     * Runs a command; when the VM dies under it, the error carries the last console lines (a guest kernel
     * panic or an out-of-memory kill shows there).
     */
    public dev.agentkernel.agent.RunResult run(dev.agentkernel.agent.AgentRequest.Run request) {
        try {
            return agent().run(request);
        } catch (VmException e) {
            process.waitFor(Duration.ofMillis(500));
            throw new VmException(e.getMessage() + (process.isAlive() ? "" : " (the VM stopped)")
                    + process.lastLines(CONSOLE_LINES), e);
        }
    }

    public AgentClient agent() {
        if (agent == null) {
            throw new IllegalStateException("the sandbox is not running");
        }
        return agent;
    }

    public Path directory() {
        return spec.sandboxDir();
    }

    public long monitorPid() {
        return process.pid();
    }

    public Timings timings() {
        return timings;
    }

    /** Powers the VM off (killing it when it does not stop in time) and deletes its files unless kept. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Instant start = Instant.now();
        try {
            if (agent != null && process.isAlive()) {
                try {
                    agent.shutdown(SHUTDOWN_GRACE);
                } catch (AgentkernelException e) {
                    // the VM is killed below
                }
                closeChannel(agent.channel());
                process.waitFor(SHUTDOWN_GRACE); // at once when the guest powers off; else killed below
            }
        } finally {
            if (process != null && process.isAlive()) {
                process.kill();
            }
            if (!keep) {
                deleteTree(spec.sandboxDir());
            }
            timings.shutdown = Duration.between(start, Instant.now());
            CommandRunner.removeShutdownHook(shutdownHook);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // the JVM is exiting; nothing more can be done
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(AtomicFiles::deleteQuietly); // keep going
        } catch (IOException ignored) {
            // best effort: the directory is under the data directory's sandboxes/
        }
    }
}
