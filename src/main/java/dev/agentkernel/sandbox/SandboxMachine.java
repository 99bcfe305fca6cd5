package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.AgentTransport;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.net.NetworkMode;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.net.NetworkPlan;
import dev.agentkernel.net.Networking;
import dev.agentkernel.process.ProcessIdentity;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.vm.Accelerator;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.LogTail;
import dev.agentkernel.vm.QemuMonitor;
import dev.agentkernel.vm.Sandbox;
import dev.agentkernel.vm.SandboxOptions;
import dev.agentkernel.vm.VmSpec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts and stops the monitor of a persistent sandbox. The monitor runs in a session of its own
 * ({@code setsid}), with no pipe to the CLI, so it outlives the command that started it, its Ctrl-C and its
 * SIGKILL; it is known afterwards only by {@code monitor.json} (pid and start time).
 */
final class SandboxMachine {
    private static final Duration AGENT_ANSWER = Duration.ofSeconds(10);
    private static final long CONSOLE_ROTATE_BYTES = 4L << 20;

    private final AgentkernelHome home;
    private final Map<String, String> env;

    SandboxMachine(AgentkernelHome home, Map<String, String> env) {
        this.home = home;
        this.env = env;
    }

    /**
     * Checks the monitor, kernel and network a record asks for, before anything is converted or created; returns
     * the backend chosen, which the sandbox's disk is then made for.
     */
    Backend check(SandboxRecord record) {
        Sandbox.Launch launch = Sandbox.prepare(home, options(record, null, SandboxOptions.DEFAULT_BOOT_TIMEOUT), env);
        network(record, launch);
        return launch.backend();
    }

    /**
     * The network the sandbox gets from its monitor: QEMU's user network as the record says; Firecracker has
     * none yet (its TAP design is in docs/ARCHITECTURE.md), which is an error only when a network option was given.
     */
    private static NetworkOptions network(SandboxRecord record, Sandbox.Launch launch) {
        NetworkOptions asked = record.network().withHostname(SandboxHostname.of(record.name()));
        if (launch.monitor() instanceof QemuMonitor || asked.mode() == NetworkMode.NONE) {
            return asked;
        }
        if (asked.requested()) {
            throw new UserInputException("sandboxes on Firecracker have no network yet: use --backend qemu for"
                    + " --allow-host, -p, --dns or --no-host-access (or --no-network)");
        }
        return NetworkOptions.none().withHostname(asked.hostname());
    }

    /**
     * Boots the sandbox and returns once its agent answered. On failure the monitor is gone, {@code exit.txt}
     * says why, and the error carries the console's last lines.
     */
    MonitorRecord start(SandboxRecord record, SandboxDirectory dir, Duration bootTimeout) {
        // the backend the disk was made for, whatever is installed now or the record asked for
        Sandbox.Launch launch = Sandbox.prepare(home, options(record, dir.diskBackend(), bootTimeout), env);
        NetworkPlan network = Networking.plan(network(record, launch), dir.path()); // a taken port fails here
        VmSpec spec = new VmSpec(launch.kernel(), dir.diskFile(),
                launch.backend() == Backend.FIRECRACKER ? VmSpec.DiskFormat.RAW : VmSpec.DiskFormat.QCOW2, record.memoryMb(),
                record.cpus(), dir.path(), AgentPortLayout.PORTS);
        rotateConsole(dir);
        AtomicFiles.deleteQuietly(dir.lastExit());
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(network.applyTo(launch.monitor().command(spec)));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.monitorLog().toFile()))
                    .redirectErrorStream(true);
            builder.environment().putAll(network.monitorEnvironment());
            process = builder.start();
        } catch (IOException e) {
            throw new ToolException("cannot start " + argv.get(1) + ": " + e.getMessage(), e);
        }
        Optional<ProcessIdentity> identity = ProcessIdentity.of(process.pid());
        if (identity.isEmpty()) {
            throw failed(dir, null, "the monitor exited at once");
        }
        MonitorRecord monitor = new MonitorRecord(identity.get(), Instant.now().toString(), argv.get(1));
        SandboxJson.write(dir.monitor(), monitor);
        try {
            awaitAgent(dir, launch.monitor().transport(spec), identity.get(), Instant.now().plus(bootTimeout),
                    bootTimeout);
            try (AgentClient client = SandboxExec.client(dir, AGENT_ANSWER)) {
                Networking.configureGuest(client, network, identity.get().pid()); // before any command runs
            }
            return monitor;
        } catch (RuntimeException e) {
            identity.get().terminate(Duration.ofSeconds(2));
            AtomicFiles.deleteQuietly(dir.monitor());
            throw e;
        }
    }

    private static SandboxOptions options(SandboxRecord record, Backend disk, Duration bootTimeout) {
        Backend backend = disk != null ? disk : record.backend() == null ? null : Backend.parse(record.backend());
        return new SandboxOptions(Path.of(record.rootfs()), backend,
                record.kernel() == null ? null : Path.of(record.kernel()),
                record.accelerator() == null ? null : Accelerator.parse(record.accelerator()),
                record.memoryMb(), record.cpus(), bootTimeout, true);
    }

    /** Pings on port 0 until the agent answers, the monitor dies or the deadline passes. */
    private void awaitAgent(SandboxDirectory dir, AgentTransport transport, ProcessIdentity monitor, Instant deadline,
                            Duration bootTimeout) {
        Path lockFile = AgentPortLayout.lockFile(dir.path(), 0);
        try (FileLocks.Held port = FileLocks.exclusive(lockFile)) {
            while (true) {
                if (!monitor.isAlive()) {
                    throw failed(dir, monitor, "the VM stopped before its agent answered");
                }
                if (Instant.now().isAfter(deadline)) {
                    throw failed(dir, monitor, "the VM's agent did not answer within " + bootTimeout.toSeconds() + " s");
                }
                Instant attempt = min(Instant.now().plusSeconds(2), deadline);
                try (AgentClient client = new AgentClient(transport.connect(attempt))) {
                    client.ping(Duration.ofMillis(Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
                    return;
                } catch (IOException | VmException e) {
                    // not up yet (no socket, or the guest has not opened its port): look at the monitor again
                }
            }
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static VmException failed(SandboxDirectory dir, ProcessIdentity monitor, String what) {
        String message = what + "; is the agent in the image (convert without --no-agent) and can the kernel mount it?"
                + LogTail.block("guest console", dir.consoleLog(), 15)
                + LogTail.block("monitor output", dir.monitorLog(), 5);
        try {
            Files.writeString(dir.lastExit(), what + "\n");
        } catch (IOException ignored) {
            // only inspect's explanation is lost
        }
        return new VmException(message);
    }

    /**
     * Asks the guest to power off and waits up to {@code grace}; then SIGTERM (QEMU closes its disks cleanly),
     * then SIGKILL. Returns once the monitor is gone.
     */
    void stop(SandboxDirectory dir, MonitorRecord monitor, Duration grace) {
        ProcessIdentity process = monitor.process();
        if (!process.isAlive()) {
            return;
        }
        Instant deadline = Instant.now().plus(grace);
        try (AgentClient client = SandboxExec.client(dir, Duration.ofSeconds(2))) {
            client.shutdown(grace.compareTo(AGENT_ANSWER) < 0 ? grace : AGENT_ANSWER);
        } catch (AgentkernelException e) {
            // the guest does not answer: the monitor is stopped from outside below
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || !process.awaitExit(left)) {
            process.terminate(Duration.ofSeconds(5));
        }
    }

    /** Kills the monitor at once (rm -f). */
    void kill(MonitorRecord monitor) {
        monitor.process().signal(true);
        monitor.process().awaitExit(Duration.ofSeconds(10));
    }

    private static void rotateConsole(SandboxDirectory dir) {
        try {
            if (Files.isRegularFile(dir.consoleLog()) && Files.size(dir.consoleLog()) > CONSOLE_ROTATE_BYTES) {
                AtomicFiles.moveIntoPlace(dir.consoleLog(), dir.path().resolve("console.log.1"));
            }
        } catch (IOException ignored) {
            // the log keeps growing from where it is
        }
    }
}
