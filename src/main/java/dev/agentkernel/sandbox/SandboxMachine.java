package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.AgentRefusedException;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.AgentTransport;
import dev.agentkernel.agent.VirtioSerialTransport;
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
import dev.agentkernel.vm.DiskCopy;
import dev.agentkernel.vm.FirecrackerApi;
import dev.agentkernel.vm.FirecrackerMonitor;
import dev.agentkernel.snapshot.BootSnapshots;
import dev.agentkernel.snapshot.FirecrackerSnapshotCapture;
import dev.agentkernel.snapshot.MachineFingerprint;
import dev.agentkernel.snapshot.SnapshotCapture;
import dev.agentkernel.snapshot.SnapshotFiles;
import dev.agentkernel.snapshot.SnapshotHeader;
import dev.agentkernel.vm.LogTail;
import dev.agentkernel.vm.QemuControl;
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
import java.util.function.Consumer;

/**
 * Starts and stops the monitor of a persistent sandbox. The monitor runs in a session of its own
 * ({@code setsid}), with no pipe to the CLI, so it outlives the command that started it, its Ctrl-C and its
 * SIGKILL; it is known afterwards only by {@code monitor.json} (pid and start time).
 */
final class SandboxMachine {
    private static final Duration AGENT_ANSWER = Duration.ofSeconds(10);
    private static final long CONSOLE_ROTATE_BYTES = 4L << 20;
    /** A restore answers in well under a second; past this it is taken for broken and the sandbox boots. */
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(30);
    /** How long, beyond a boot, a process waits for another one saving the snapshot it needs. */
    private static final Duration SAVE_WAIT = Duration.ofMinutes(2);
    private static final int BOOT_PORT = AgentPortLayout.PORTS - 1;
    private static final int RESTORE_PORT = AgentPortLayout.PORTS - 2;
    /** One hello's wait: a hello that a port reopening after a host dropped is sent again on a new connection. */
    private static final Duration PING_ATTEMPT = Duration.ofSeconds(5);
    /** Firecracker's API calls: a full snapshot writes the whole guest memory. */
    private static final Duration FIRECRACKER_API = Duration.ofMinutes(2);
    private static final java.security.SecureRandom ENTROPY = new java.security.SecureRandom();

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
     * Boots the sandbox on the disk it has and returns once its agent answered and took the sandbox's own
     * settings (entropy, clock, network). On failure the monitor is gone, {@code exit.txt} says why, and the
     * error carries the console's last lines.
     */
    MonitorRecord start(SandboxRecord record, SandboxDirectory dir, Duration bootTimeout) {
        // the backend the disk was made for, whatever is installed now or the record asked for
        Prepared p = prepare(record, dir, dir.diskBackend(), bootTimeout);
        return await(p, launch(p, p.argv(), dir, MonitorRecord.BOOT), record, dir, bootTimeout, BOOT_PORT, false);
    }

    /**
     * A new sandbox: makes its disk and starts it, restoring the booted image's snapshot when one serves (and
     * saving one when the image has none yet), else booting. {@code snapshots} false boots and saves nothing.
     * What a snapshot could not do is told to {@code notes}; the sandbox starts regardless.
     */
    MonitorRecord startNew(SandboxRecord record, SandboxDirectory dir, Backend backend, Duration bootTimeout,
                           boolean snapshots, Consumer<String> notes) {
        Prepared p = prepare(record, dir, backend, bootTimeout);
        // published ports are not in the fingerprint: the restore's command line gives the VM its own hostfwds.
        // Firecracker's fingerprint (its configuration) lacks a scratch drive's size, so such a VM boots.
        boolean scratchOnFirecracker = record.scratchDiskBytes() != null && backend == Backend.FIRECRACKER;
        if (!snapshots || record.rootfsKey() == null || scratchOnFirecracker) {
            SandboxDisk.create(Path.of(record.rootfs()), dir, backend);
            return await(p, launch(p, p.argv(), dir, MonitorRecord.BOOT), record, dir, bootTimeout, BOOT_PORT, false);
        }
        MachineFingerprint fingerprint = fingerprint(p, dir);
        BootSnapshots cache = new BootSnapshots(home);
        BootSnapshots.Lookup found = cache.find(fingerprint);
        if (found instanceof BootSnapshots.Lookup.Usable usable) {
            Optional<MonitorRecord> restored = restore(p, record, dir, usable.files(), notes);
            if (restored.isPresent()) {
                return restored.get();
            }
        }
        Optional<FileLocks.Held> lock = cache.lock(fingerprint, bootTimeout.plus(SAVE_WAIT));
        if (lock.isEmpty()) {
            notes.accept("another process has been saving the snapshot of this image for over "
                    + bootTimeout.plus(SAVE_WAIT).toSeconds() + " s; booting without it");
            SandboxDisk.create(Path.of(record.rootfs()), dir, backend);
            return await(p, launch(p, p.argv(), dir, MonitorRecord.BOOT), record, dir, bootTimeout, BOOT_PORT, false);
        }
        try (FileLocks.Held held = lock.get()) {
            BootSnapshots.Lookup now = cache.find(fingerprint);
            if (now instanceof BootSnapshots.Lookup.Usable usable && !(found instanceof BootSnapshots.Lookup.Usable)) {
                Optional<MonitorRecord> restored = restore(p, record, dir, usable.files(), notes); // saved meanwhile
                if (restored.isPresent()) {
                    return restored.get();
                }
            }
            if (now instanceof BootSnapshots.Lookup.Unusable bad) {
                notes.accept("the boot snapshot " + bad.files().dir() + " cannot be used: " + bad.reason()
                        + "; booting and saving a new one");
            }
            if (!(now instanceof BootSnapshots.Lookup.Missing)) {
                cache.discard(cache.files(fingerprint)); // unusable, or it failed to restore
            }
            SandboxDisk.create(Path.of(record.rootfs()), dir, backend);
            MonitorRecord monitor = launch(p, p.argv(), dir, MonitorRecord.BOOT);
            boolean restorable;
            try {
                restorable = awaitAgent(p, dir, monitor.process(), Instant.now().plus(bootTimeout), bootTimeout,
                        BOOT_PORT, SandboxMachine::takesConfigure);
            } catch (RuntimeException e) {
                monitor.process().terminate(Duration.ofSeconds(2));
                AtomicFiles.deleteQuietly(dir.monitor());
                throw e;
            }
            if (restorable) {
                save(dir, fingerprint, cache.files(fingerprint), p, notes);
            } else {
                notes.accept("the image's guest agent predates the configure request (reseeding a restored VM):"
                        + " no snapshot is saved; convert the image again with this agentkernel to get one");
            }
            return await(p, monitor, record, dir, bootTimeout, RESTORE_PORT, false);
        }
    }

    /**
     * Restores a snapshot into the sandbox; on any failure the monitor and disk are gone again and it says why.
     * QEMU loads the state given on its command line, over a new overlay on the snapshot's disk; Firecracker (not
     * run here: it needs KVM) starts with its API socket only and is told to load the state and memory files, on a
     * reflink or sparse copy of the snapshot's raw disk.
     */
    private Optional<MonitorRecord> restore(Prepared p, SandboxRecord record, SandboxDirectory dir, SnapshotFiles files,
                                            Consumer<String> notes) {
        MonitorRecord monitor = null;
        try {
            if (p.launch().monitor() instanceof FirecrackerMonitor firecracker) {
                DiskCopy.copy(files.rawDisk(), dir.rawDisk());
                monitor = launch(p, firecracker.restoreCommand(p.spec()), dir, "snapshot " + files.dir().getFileName());
                Path api = FirecrackerMonitor.apiSocket(dir.path());
                awaitSocket(dir, monitor.process(), api);
                FirecrackerSnapshotCapture.load(new FirecrackerApi(api, FIRECRACKER_API), files);
            } else {
                SandboxDisk.createOver(files.disk(), dir.disk());
                List<String> argv = new ArrayList<>(p.argv());
                argv.addAll(QemuMonitor.incoming(files.state()));
                monitor = launch(p, argv, dir, "snapshot " + files.dir().getFileName());
            }
            Duration limit = RESTORE_TIMEOUT.compareTo(p.bootTimeout()) < 0 ? RESTORE_TIMEOUT : p.bootTimeout();
            return Optional.of(await(p, monitor, record, dir, limit, RESTORE_PORT, true));
        } catch (RuntimeException e) {
            if (monitor != null) {
                monitor.process().terminate(Duration.ofSeconds(2));
            }
            AtomicFiles.deleteQuietly(dir.monitor());
            AtomicFiles.deleteQuietly(dir.disk());
            AtomicFiles.deleteQuietly(dir.rawDisk());
            AtomicFiles.deleteQuietly(dir.scratchDisk());
            AtomicFiles.deleteQuietly(dir.lastExit());
            notes.accept("restoring from the snapshot " + files.dir() + " failed ("
                    + e.getMessage().lines().findFirst().orElse("?") + "); booting instead");
            return Optional.empty();
        }
    }

    /** Saves the booted VM as the image's snapshot; a failure is a note, the VM goes on either way. */
    private void save(SandboxDirectory dir, MachineFingerprint fingerprint, SnapshotFiles target, Prepared p,
                      Consumer<String> notes) {
        if (p.launch().monitor() instanceof FirecrackerMonitor) {
            try {
                String version = SnapshotCapture.qemuVersion(Path.of(p.argv().get(0)));
                Files.createDirectories(target.dir().getParent());
                FirecrackerSnapshotCapture.capture(new FirecrackerApi(FirecrackerMonitor.apiSocket(dir.path()),
                        FIRECRACKER_API), dir.rawDisk(), target.dir(), (state, memory) -> new SnapshotHeader(
                        SnapshotHeader.BOOT, null, fingerprint, state, version, null, Instant.now().toString(),
                        SnapshotHeader.FIRECRACKER, memory));
            } catch (IOException | RuntimeException e) {
                notes.accept("could not save a snapshot of the booted VM (" + e.getMessage() + "); the next start boots too");
            }
            return;
        }
        try (QemuControl control = QemuControl.open(p.spec().qmpSocket(), Duration.ofSeconds(10))) {
            String version = SnapshotCapture.qemuVersion(Path.of(p.argv().get(0)));
            Files.createDirectories(target.dir().getParent());
            SnapshotCapture.capture(control, dir.disk(), SnapshotCapture.DiskSaver.COPY, target.dir(),
                    bytes -> new SnapshotHeader(SnapshotHeader.BOOT, null, fingerprint, bytes, version, null,
                            Instant.now().toString()), true);
        } catch (IOException | RuntimeException e) {
            notes.accept("could not save a snapshot of the booted VM (" + e.getMessage() + "); the next start boots too");
        }
    }

    /**
     * Waits for the agent on one of the machine's ports and gives it the sandbox's settings; on failure the
     * monitor is ended.
     */
    private MonitorRecord await(Prepared p, MonitorRecord monitor, SandboxRecord record, SandboxDirectory dir,
                                Duration timeout, int port, boolean restored) {
        try {
            awaitAgent(p, dir, monitor.process(), Instant.now().plus(timeout), timeout, port, client -> {
                configure(client, restored);
                Networking.configureGuest(client, p.network(), monitor.process().pid()); // before any command runs
                return null;
            });
            return monitor;
        } catch (RuntimeException e) {
            monitor.process().terminate(Duration.ofSeconds(2));
            AtomicFiles.deleteQuietly(dir.monitor());
            throw e;
        }
    }

    /**
     * Gives the guest what is its own: fresh entropy (the kernel's generator reseeded) and the host's clock. A
     * restored VM must take it (else it would share the snapshot's random state); a booted one whose agent
     * predates the request goes on without.
     */
    private static void configure(AgentClient client, boolean restored) {
        byte[] entropy = new byte[64];
        ENTROPY.nextBytes(entropy);
        try {
            client.configure(new AgentRequest.Configure(entropy, Instant.now(), null), AGENT_ANSWER);
        } catch (AgentRefusedException e) {
            if (restored) {
                throw new VmException("the restored guest could not be reseeded: " + e.getMessage(), e);
            }
        } finally {
            java.util.Arrays.fill(entropy, (byte) 0);
        }
    }

    /**
     * Gives a running sandbox taken from a pool what is its own now that it has its name: the guest's generator
     * reseeded again with fresh host entropy, the host's clock, and its network configuration with its hostname
     * (net_config sets the address, routes and files again, which changes nothing else).
     */
    void adopt(SandboxRecord record, SandboxDirectory dir) {
        NetworkOptions options = record.network().withHostname(SandboxHostname.of(record.name()));
        try (AgentClient client = SandboxExec.client(dir, AGENT_ANSWER)) {
            configure(client, true);
            client.configureNetwork(Networking.guestConfig(options));
        }
    }

    /** Whether the agent knows configure (an empty one changes nothing); restoring is only safe when it does. */
    private static boolean takesConfigure(AgentClient client) {
        try {
            client.configure(new AgentRequest.Configure(null, null, null), AGENT_ANSWER);
            return true;
        } catch (AgentRefusedException e) {
            return false;
        }
    }

    private record Prepared(SandboxRecord record, Sandbox.Launch launch, VmSpec spec, NetworkPlan network,
                            List<String> argv, Duration bootTimeout) {
    }

    private Prepared prepare(SandboxRecord record, SandboxDirectory dir, Backend backend, Duration bootTimeout) {
        Sandbox.Launch launch = Sandbox.prepare(home, options(record, backend, bootTimeout), env);
        NetworkPlan network = Networking.plan(network(record, launch), dir.path()); // a taken port fails here
        VmSpec spec = new VmSpec(launch.kernel(), launch.backend() == Backend.FIRECRACKER ? dir.rawDisk() : dir.disk(),
                launch.backend() == Backend.FIRECRACKER ? VmSpec.DiskFormat.RAW : VmSpec.DiskFormat.QCOW2, record.memoryMb(),
                record.cpus(), dir.path(), AgentPortLayout.PORTS, record.scratchDiskBytes() == null ? null
                        : new VmSpec.ScratchDrive(dir.scratchDisk(), record.scratchDiskBytes()));
        return new Prepared(record, launch, spec, network,
                relativeTo(dir, network.applyTo(launch.monitor().command(spec))), bootTimeout);
    }

    /**
     * The monitor's command line with the files in the sandbox's directory named relative to it, the monitor's
     * working directory: the directory can then be renamed under a running monitor (a pooled sandbox taking its
     * name). QEMU opens its disk again by name when a migration ends (fork, snapshot take), and the network's
     * helpers write their logs by name.
     */
    private static List<String> relativeTo(SandboxDirectory dir, List<String> argv) {
        String prefix = dir.path().toAbsolutePath() + "/";
        List<String> relative = new ArrayList<>(argv.size());
        relative.add(argv.get(0));
        for (String arg : argv.subList(1, argv.size())) {
            relative.add(arg.replace(prefix, "./")); // "./": a bare name would be looked up in PATH (netproxy)
        }
        return relative;
    }

    /** Starts the monitor under setsid, detached from us, and records it. */
    private MonitorRecord launch(Prepared p, List<String> monitorArgv, SandboxDirectory dir, String startedFrom) {
        rotateConsole(dir);
        AtomicFiles.deleteQuietly(dir.lastExit());
        if (p.spec().scratch() != null && !Files.exists(dir.scratchDisk())) {
            ScratchDisk.create(dir.scratchDisk(), p.spec().scratch().bytes()); // kept across a stop, like the disk
        }
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(monitorArgv);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(dir.path().toFile()) // Firecracker's configuration names its files relative to it
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.monitorLog().toFile()))
                    .redirectErrorStream(true);
            builder.environment().putAll(p.network().monitorEnvironment());
            process = builder.start();
        } catch (IOException e) {
            throw new ToolException("cannot start " + argv.get(1) + ": " + e.getMessage(), e);
        }
        Optional<ProcessIdentity> identity = ProcessIdentity.of(process.pid());
        if (identity.isEmpty()) {
            throw failed(dir, null, "the monitor exited at once");
        }
        MonitorRecord monitor = new MonitorRecord(identity.get(), Instant.now().toString(), argv.get(1), startedFrom);
        SandboxJson.write(dir.monitor(), monitor);
        if (p.launch().monitor() instanceof QemuMonitor) {
            fingerprint(p, dir).write(machineFile(dir)); // what this VM is, for snapshots of it later
        }
        return monitor;
    }

    /**
     * What the VM is: QEMU's command line; for Firecracker, whose command line names only its files, the
     * configuration document (machine, kernel and arguments, drive and vsock, relative to the sandbox directory).
     */
    private static MachineFingerprint fingerprint(Prepared p, SandboxDirectory dir) {
        List<String> argv = p.launch().monitor() instanceof FirecrackerMonitor
                ? List.of(p.argv().get(0), "--config-file", FirecrackerMonitor.config(p.spec()).toString())
                : p.argv();
        return MachineFingerprint.of(argv, dir.path(), p.launch().kernel().kernel(), p.launch().kernel().initramfs(),
                p.record().rootfsKey(), Path.of(p.record().rootfs()));
    }

    private static Path machineFile(SandboxDirectory dir) {
        return dir.path().resolve("machine.json");
    }

    /**
     * Saves the running or paused VM of the sandbox into {@code target} (disk layer by {@code disk}, machine state,
     * header named {@code name}, plus {@code extra}); a running VM is stopped for the time it takes and goes on,
     * a paused one stays paused.
     */
    SnapshotHeader capture(SandboxRecord record, SandboxDirectory dir, Path target, SnapshotCapture.DiskSaver disk,
                           String name, boolean paused, SnapshotCapture.Extra extra) {
        if (!Files.isRegularFile(machineFile(dir))) {
            throw new UserInputException("sandbox '" + record.name() + "' runs a VM that cannot be snapshotted (a"
                    + " QEMU VM started by this agentkernel can): restart it first");
        }
        refuseScratch(record, "snapshotted");
        MachineFingerprint fingerprint = MachineFingerprint.read(machineFile(dir));
        String version = SnapshotCapture.qemuVersion(Path.of(fingerprint.monitor().path()));
        try (QemuControl control = QemuControl.open(dir.path().resolve("qmp.sock"), Duration.ofSeconds(10))) {
            return SnapshotCapture.capture(control, dir.disk(), disk, target,
                    bytes -> new SnapshotHeader(SnapshotHeader.NAMED, name, fingerprint, bytes, version, record.name(),
                            Instant.now().toString()), !paused, extra);
        }
    }

    /**
     * Starts sandbox {@code copy} as a fork of the running or paused {@code source}: with the source's CPUs
     * stopped (its disk flushed), its disk layer is copied, a new QEMU is started waiting for a migration stream
     * on a socket in the copy's directory, and the source's state streams straight into it (no file: writing and
     * loading overlap); then the source goes on (unless it was paused) and the copy is reseeded and configured.
     */
    MonitorRecord fork(SandboxRecord source, SandboxDirectory sourceDir, boolean paused, SandboxRecord copy,
                       SandboxDirectory dir) {
        if (!Files.isRegularFile(machineFile(sourceDir))) {
            throw new UserInputException("sandbox '" + source.name() + "' runs a VM that cannot be forked (a"
                    + " QEMU VM started by this agentkernel can): restart it first");
        }
        refuseScratch(source, "forked");
        Prepared p = prepare(copy, dir, Backend.QEMU, SandboxOptions.DEFAULT_BOOT_TIMEOUT);
        java.util.Optional<String> mismatch = fingerprint(p, dir).mismatch(MachineFingerprint.read(machineFile(sourceDir)));
        if (mismatch.isPresent()) {
            throw new VmException("sandbox '" + source.name() + "' cannot be forked: " + mismatch.get());
        }
        Path socket = dir.path().resolve("migrate.sock");
        MonitorRecord monitor = null;
        try (QemuControl control = QemuControl.open(sourceDir.path().resolve("qmp.sock"), Duration.ofSeconds(10))) {
            control.stop();
            try {
                SnapshotCapture.DiskSaver.COPY.save(sourceDir.disk(), dir.disk());
                List<String> argv = new ArrayList<>(p.argv());
                argv.addAll(List.of("-incoming", "unix:" + socket));
                monitor = launch(p, argv, dir, "fork of " + source.name());
                awaitSocket(dir, monitor.process(), socket);
                control.migrate("unix:" + socket);
            } catch (IOException e) {
                throw new VmException("cannot copy the disk of sandbox '" + source.name() + "': " + e.getMessage(), e);
            } finally {
                if (!paused) {
                    control.cont();
                }
            }
        } catch (RuntimeException e) {
            if (monitor != null) {
                monitor.process().terminate(Duration.ofSeconds(2));
            }
            AtomicFiles.deleteQuietly(dir.monitor());
            throw e;
        } finally {
            AtomicFiles.deleteQuietly(socket);
        }
        return await(p, monitor, copy, dir, RESTORE_TIMEOUT, RESTORE_PORT, true);
    }

    /** A saved state holds the root disk only; a scratch disk's contents would be lost under the guest. */
    private static void refuseScratch(SandboxRecord record, String what) {
        if (record.scratchDiskBytes() != null) {
            throw new UserInputException("sandbox '" + record.name() + "' has a scratch disk (a build VM), which a"
                    + " snapshot does not hold: it cannot be " + what);
        }
    }

        /** Waits (bounded) until the new monitor listens on the socket it takes the state on (or its API socket). */
    private static void awaitSocket(SandboxDirectory dir, ProcessIdentity monitor, Path socket) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!Files.exists(socket)) {
            if (!monitor.isAlive()) {
                throw failed(dir, monitor, "the new VM stopped before it took the state");
            }
            if (Instant.now().isAfter(deadline)) {
                throw failed(dir, monitor, "the new VM did not listen on " + socket.getFileName() + " within 20 s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while forking");
            }
        }
    }

    /**
     * Starts a new sandbox from a saved VM: its disk is a new layer over the snapshot's (or {@code ownDisk}, a
     * disk of its own moved into its directory), the state loaded, and the guest reseeded and configured. The snapshot
     * must have been made with the machine this record gives; any failure is an error (there is nothing to
     * boot instead: the point is the saved processes).
     */
    MonitorRecord startSaved(SandboxRecord record, SandboxDirectory dir, SnapshotFiles files, Path ownDisk) {
        Prepared p = prepare(record, dir, Backend.QEMU, SandboxOptions.DEFAULT_BOOT_TIMEOUT);
        if (!(p.launch().monitor() instanceof QemuMonitor)) {
            throw new UserInputException("snapshots need the QEMU backend");
        }
        java.util.Optional<String> problem = files.problem(fingerprint(p, dir));
        if (problem.isPresent()) {
            throw new VmException("the snapshot " + files.dir() + " cannot be restored: " + problem.get());
        }
        if (ownDisk == null) {
            SandboxDisk.createOver(files.disk(), dir.disk());
        } else {
            try {
                AtomicFiles.moveIntoPlace(ownDisk, dir.disk());
            } catch (IOException e) {
                throw new VmException("cannot move the copied disk into " + dir.path() + ": " + e.getMessage(), e);
            }
        }
        List<String> argv = new ArrayList<>(p.argv());
        argv.addAll(QemuMonitor.incoming(files.state()));
        MonitorRecord monitor = launch(p, argv, dir, "snapshot " + (files.dir().getFileName()));
        return await(p, monitor, record, dir, RESTORE_TIMEOUT, RESTORE_PORT, true);
    }

    private static SandboxOptions options(SandboxRecord record, Backend disk, Duration bootTimeout) {
        Backend backend = disk != null ? disk : record.backend() == null ? null : Backend.parse(record.backend());
        return new SandboxOptions(Path.of(record.rootfs()), backend,
                record.kernel() == null ? null : Path.of(record.kernel()),
                record.accelerator() == null ? null : Accelerator.parse(record.accelerator()),
                record.memoryMb(), record.cpus(), bootTimeout, true);
    }

    /**
     * Says hello on one of the machine's own ports until the agent answers, the monitor dies or the deadline passes,
     * then hands the client to {@code then}. The last ports: commands take the first free one, and a port a host
     * has just left is briefly deaf while the guest reopens it, so port 0 stays fresh for the first command (and,
     * in a saved snapshot, for every restored VM's). A boot waits on {@link #BOOT_PORT}; a restored VM, and the
     * VM that was just saved, on {@link #RESTORE_PORT}, which no host had used when the state was saved.
     */
    private <T> T awaitAgent(Prepared p, SandboxDirectory dir, ProcessIdentity monitor, Instant deadline,
                             Duration bootTimeout, int machinePort, java.util.function.Function<AgentClient, T> then) {
        Path lockFile = AgentPortLayout.lockFile(dir.path(), machinePort);
        AgentTransport transport = p.launch().monitor() instanceof QemuMonitor
                ? new VirtioSerialTransport(AgentPortLayout.socket(dir.path(), machinePort))
                : p.launch().monitor().transport(p.spec());
        try (FileLocks.Held port = FileLocks.exclusive(lockFile)) {
            while (true) {
                if (!monitor.isAlive()) {
                    throw failed(dir, monitor, "the VM stopped before its agent answered");
                }
                if (Instant.now().isAfter(deadline)) {
                    throw failed(dir, monitor, "the VM's agent did not answer within " + bootTimeout.toSeconds() + " s");
                }
                Instant attempt = min(Instant.now().plusSeconds(2), deadline);
                dev.agentkernel.agent.AgentChannel channel;
                try {
                    channel = transport.connect(attempt);
                } catch (IOException e) {
                    continue; // no socket yet: look at the monitor again
                }
                AgentClient client;
                try {
                    // hello with a fresh random id: the answer to an earlier attempt's request, still in the
                    // port when the guest opens it, is skipped rather than taken for this connection's
                    client = new AgentClient(dev.agentkernel.agent.AgentConnection.open(channel,
                            Duration.ofMillis(Math.max(1, Math.min(PING_ATTEMPT.toMillis(),
                                    Duration.between(Instant.now(), deadline).toMillis()))),
                            "port " + machinePort + " of " + dir.path().getFileName(), null));
                } catch (VmException e) {
                    continue; // the guest has not opened its port yet (the channel is closed)
                }
                try (client) {
                    return then.apply(client);
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

    /** Stops the guest's CPUs (QMP stop). */
    void pause(SandboxDirectory dir) {
        try (QemuControl control = QemuControl.open(dir.path().resolve("qmp.sock"), Duration.ofSeconds(5))) {
            control.stop();
        } catch (VmException e) {
            throw new VmException("cannot pause the sandbox: " + e.getMessage()
                    + " (a sandbox started before agentkernel could pause has no control socket: restart it)", e);
        }
    }

    /**
     * Continues the guest's CPUs (QMP cont) and sets its clock, which stood still while it was paused, to the
     * host's (the guest goes on if its agent does not answer).
     */
    void resume(SandboxDirectory dir) {
        try (QemuControl control = QemuControl.open(dir.path().resolve("qmp.sock"), Duration.ofSeconds(5))) {
            control.cont();
        }
        try (AgentClient client = SandboxExec.client(dir, Duration.ofSeconds(2))) {
            client.configure(new AgentRequest.Configure(null, Instant.now(), null), AGENT_ANSWER);
        } catch (AgentkernelException e) {
            // the guest runs; only its clock is behind by the pause
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
