package dev.agentkernel.sandbox;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.net.Networking;
import dev.agentkernel.process.ProcessIdentity;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.rootfs.RootfsPins;
import dev.agentkernel.rootfs.RootfsResult;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.vm.LogTail;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.SandboxOptions;

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
 * The one service behind every adapter (CLI, HTTP API, MCP): persistent sandboxes on disk, their lifecycle and
 * their expiry. Daemonless: every call works from the state in the data directory, so sandboxes made by one
 * process are seen and driven by any other, and no call needs a server.
 */
public final class SandboxService {
    /** How long {@code stop} waits for the guest to power off before the monitor is stopped from outside. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

    /** A sandbox directory without a record this old is a leftover of a create or run that was killed. */
    private static final Duration LEFTOVER_AGE = Duration.ofSeconds(30);

    private final AgentkernelHome home;
    private final SandboxStore store;
    private final SandboxMachine machine;
    private final RootfsPins pins;
    private final SandboxPool pool;

    public SandboxService(AgentkernelHome home, Map<String, String> env) {
        this.home = home;
        this.store = new SandboxStore(home);
        this.machine = new SandboxMachine(home, env);
        this.pins = new RootfsPins(home);
        this.pool = new SandboxPool(this, new PoolRefill(home));
    }

    /** The warm pools whose sandboxes {@link #create} takes when one serves the request. */
    public SandboxPool pool() {
        return pool;
    }

    public SandboxStore store() {
        return store;
    }

    /**
     * Converts the image (cached), makes the sandbox's copy-on-write disk and record, and boots it unless
     * {@code start} is false. A taken name is a conflict; any failure leaves nothing behind.
     */
    public SandboxInfo create(CreateRequest request, ConversionListener listener) {
        return create(request, listener, true);
    }

    /**
     * As {@link #create(CreateRequest, ConversionListener)}; {@code snapshots} false (the CLI's
     * {@code --no-snapshot}) boots the VM even when the image's boot snapshot could restore it, and saves none.
     * Why a snapshot could not serve goes to the listener's warnings.
     */
    public SandboxInfo create(CreateRequest request, ConversionListener listener, boolean snapshots) {
        SandboxName name = request.name();
        if (store.exists(name)) {
            throw taken(name);
        }
        Instant now = Instant.now();
        // -p HOST_PORT taken, or -p GUEST_PORT without one: found out (and chosen) before anything is made
        NetworkOptions network = Networking.reservePorts(request.network());
        SandboxRecord draft = new SandboxRecord(name.value(), SandboxUuid.next().toString(), request.image(), null,
                null, null, null, request.backend(), request.kernel(), request.accelerator(), request.memoryMb(),
                request.cpus(), request.env(), request.workdir(), request.labels(), now.toString(),
                expiry(now, request.ttl()), request.start() ? SandboxRecord.RUNNING : SandboxRecord.STOPPED,
                request.owner(), request.description(), network,
                request.scratchDiskBytes() == 0 ? null : request.scratchDiskBytes());
        // a missing monitor or kernel fails before anything is written or converted, unless a pool may serve the
        // request (its sandboxes run on this monitor and kernel already): then it is checked only if none does.
        // Pooled sandboxes have no scratch disk, so a request for one is never a pool's.
        boolean poolFirst = request.start() && snapshots && request.rootfsFile() == null
                && request.scratchDiskBytes() == 0 && pool.mightServe(network);
        Backend backend = poolFirst ? null : machine.check(draft.withRootfsForCheck());
        sweepOrphans();
        try (FileLocks.Held lock = store.lock(name)) {
            if (store.exists(name)) {
                throw taken(name);
            }
            RootfsResult rootfs = request.rootfsFile() != null ? null
                    : new RootfsConverter(home).convert(SourceSpec.parse(request.image()), RootfsOptions.defaults(),
                            listener);
            SandboxRecord record = rootfs != null ? draft.withImage(rootfs) : draft.withRootfsFile(request.rootfsFile());
            if (poolFirst) {
                Optional<SandboxInfo> pooled = fromPool(record, name, listener);
                if (pooled.isPresent()) {
                    return pooled.get();
                }
                backend = machine.check(record);
            }
            SandboxDirectory dir = store.createDirectory(name);
            try {
                if (rootfs != null) {
                    pin(rootfs, name, dir);
                }
                store.write(record);
                if (request.start()) {
                    machine.startNew(record, dir, backend, SandboxOptions.DEFAULT_BOOT_TIMEOUT, snapshots,
                            listener::warning);
                } else {
                    SandboxDisk.create(Path.of(record.rootfs()), dir, backend);
                }
            } catch (RuntimeException e) {
                discard(name, dir, record);
                throw e;
            }
            return info(record, dir);
        }
    }

    /**
     * The sandbox as a pooled one taken for it, when a pool serves the record; empty (and nothing left behind)
     * when none does or the one taken could not be given its settings.
     */
    private Optional<SandboxInfo> fromPool(SandboxRecord record, SandboxName name, ConversionListener listener) {
        Optional<SandboxDirectory> claimed = pool.claim(record, name);
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        SandboxDirectory dir = claimed.get();
        try {
            store.write(record);
            machine.adopt(record, dir);
            monitor(dir).ifPresent(m -> SandboxJson.write(dir.monitor(), m.withStartedFrom(
                    MonitorRecord.POOL + " (" + m.startedFrom() + ")")));
            return Optional.of(info(record, dir));
        } catch (RuntimeException e) {
            discard(name, dir, record);
            listener.warning("the sandbox taken from the pool could not be given its settings ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("?") + "); starting a new one");
            return Optional.empty();
        }
    }

    private static SandboxConflictException taken(SandboxName name) {
        return new SandboxConflictException("a sandbox named '" + name + "' already exists");
    }

    private static String expiry(Instant from, Duration ttl) {
        return ttl == null || ttl.isZero() ? null : from.plus(ttl).toString();
    }

    /** Pins the rootfs under its cache lock, so no prune can delete it between conversion and pinning. */
    private void pin(RootfsResult rootfs, SandboxName name, SandboxDirectory dir) {
        pin(rootfs.cacheKey(), rootfs.path(), name.value(), dir.path());
    }

    /** Pins cache entry {@code key} for {@code user} (a sandbox, or {@code snapshot:NAME}) under the key's lock. */
    void pin(String key, Path rootfs, String user, Path userDir) {
        try (FileLocks.Held ignored = new RootfsCache(home).lock(key)) {
            if (!Files.isRegularFile(rootfs)) {
                throw new VmException("the cached root file system " + rootfs
                        + " was removed while the sandbox was being created; try again");
            }
            pins.pin(key, user, userDir);
        }
    }

    void unpin(String key, String user) {
        pins.unpin(key, user);
    }

    SandboxMachine machine() {
        return machine;
    }

    AgentkernelHome home() {
        return home;
    }

    /** Boots a stopped or exited sandbox on its disk; a running one is left as it is. */
    public SandboxInfo start(SandboxName name) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name);
            SandboxDirectory dir = store.directory(name);
            SandboxStatus status = status(record, dir);
            if (status == SandboxStatus.RUNNING) {
                return info(record, dir);
            }
            if (status == SandboxStatus.PAUSED) {
                return resumeLocked(record, dir);
            }
            Networking.reservePorts(record.network()); // a host port taken meanwhile: bad input, still stopped
            record = record.withDesired(SandboxRecord.RUNNING);
            store.write(record);
            machine.start(record, dir, SandboxOptions.DEFAULT_BOOT_TIMEOUT);
            return info(record, dir);
        }
    }

    /**
     * Stops the guest's CPUs: its memory, processes and connections are kept, it uses no CPU, and its clock
     * stands still. A paused sandbox stays so.
     */
    public SandboxInfo pause(SandboxName name) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name);
            SandboxDirectory dir = store.directory(name);
            SandboxStatus status = status(record, dir);
            if (status == SandboxStatus.PAUSED) {
                return info(record, dir);
            }
            if (status != SandboxStatus.RUNNING) {
                throw new SandboxConflictException("sandbox '" + name + "' is " + status.text() + "; only a running"
                        + " sandbox can be paused");
            }
            machine.pause(dir);
            record = record.withDesired(SandboxRecord.PAUSED);
            store.write(record);
            return info(record, dir);
        }
    }

    /** Continues a paused sandbox where it was (its clock set to the host's again); a running one stays so. */
    public SandboxInfo resume(SandboxName name) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name);
            SandboxDirectory dir = store.directory(name);
            SandboxStatus status = status(record, dir);
            if (status == SandboxStatus.RUNNING) {
                return info(record, dir);
            }
            if (status != SandboxStatus.PAUSED) {
                throw new SandboxConflictException("sandbox '" + name + "' is " + status.text() + ", not paused;"
                        + " start it with: agentkernel start " + name);
            }
            return resumeLocked(record, dir);
        }
    }

    private SandboxInfo resumeLocked(SandboxRecord record, SandboxDirectory dir) {
        machine.resume(dir);
        record = record.withDesired(SandboxRecord.RUNNING);
        store.write(record);
        return info(record, dir);
    }

    /** Powers the guest off cleanly, killing the monitor after {@code grace}; a stopped sandbox stays so. */
    public SandboxInfo stop(SandboxName name, Duration grace) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord current = store.get(name);
            SandboxDirectory dir = store.directory(name);
            if (status(current, dir) == SandboxStatus.PAUSED) {
                machine.resume(dir); // a paused guest cannot power itself off
            }
            SandboxRecord record = current.withDesired(SandboxRecord.STOPPED);
            store.write(record); // first: a monitor seen dead from now on was stopped, not exited
            monitor(dir).ifPresent(m -> machine.stop(dir, m, grace));
            deleteQuietly(dir.monitor());
            return info(record, dir);
        }
    }

    /** Removes a sandbox's files; a running one needs {@code force}, which kills its monitor at once. */
    public void remove(SandboxName name, boolean force) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name);
            SandboxDirectory dir = store.directory(name);
            SandboxStatus status = status(record, dir);
            if (status.alive()) {
                if (!force) {
                    throw new SandboxConflictException("sandbox '" + name + "' is " + status.text() + ": stop it first, or"
                            + " remove it with -f");
                }
                monitor(dir).ifPresent(machine::kill);
            }
            discard(name, dir, record);
        }
    }

    /**
     * For a one-shot sandbox whose JVM is being stopped by a signal: when {@code owner} made it (or its record
     * is not written yet), kills its monitor and deletes its files
     * without taking its lock (the thread holding it may never release it now). Whatever a race leaves behind,
     * the next command's sweep removes, since the record's owner is then gone.
     */
    public void abandon(SandboxName name, ProcessIdentity owner) {
        SandboxDirectory dir = store.directory(name);
        Optional<SandboxRecord> record = findQuietly(name);
        if (record.isPresent() && !owner.equals(record.get().owner())) {
            return; // not ours: a sandbox of that name made by someone else
        }
        monitor(dir).ifPresent(machine::kill);
        for (int attempt = 0; attempt < 5 && Files.exists(dir.path()); attempt++) {
            try {
                SandboxStore.deleteTree(dir.path()); // again, if the main thread recreated a file meanwhile
            } catch (IOException e) {
                // the sweep of the next command removes the rest
            }
            sleepQuietly(100);
        }
        record.filter(r -> r.rootfsKey() != null).ifPresent(r -> pins.unpin(r.rootfsKey(), name.value()));
    }

    /** Deletes a sandbox's directory and pin; the caller holds its lock and its monitor is gone. */
    void discard(SandboxName name, SandboxDirectory dir, SandboxRecord record) {
        monitor(dir).filter(m -> m.process().isAlive()).ifPresent(machine::kill);
        try {
            SandboxStore.deleteTree(dir.path());
        } catch (IOException e) {
            throw new StoreException("cannot delete " + dir.path() + ": " + e.getMessage(), e);
        } finally {
            if (record.rootfsKey() != null) {
                pins.unpin(record.rootfsKey(), name.value());
            }
            new dev.agentkernel.snapshot.NamedSnapshots(home).removeUser(name.value());
        }
    }

    /** Every sandbox, sorted by name; one-shot sandboxes whose owner died are removed first. */
    public List<SandboxInfo> list() {
        sweepOrphans();
        List<SandboxInfo> all = new ArrayList<>();
        for (SandboxName name : store.names()) {
            try {
                store.find(name).ifPresent(r -> all.add(info(r, store.directory(name))));
            } catch (StoreException e) {
                // removed meanwhile, or unreadable: list the others
            }
        }
        return all;
    }

    public SandboxInfo inspect(SandboxName name) {
        return info(store.get(name), store.directory(name));
    }

    /** The sandbox whose record carries {@code uuid} (compared without regard to case). */
    public SandboxInfo byUuid(String uuid) {
        for (SandboxName name : store.names()) {
            Optional<SandboxRecord> record = findQuietly(name);
            if (record.isPresent() && uuid.equalsIgnoreCase(record.get().uuid())) {
                return info(record.get(), store.directory(name));
            }
        }
        throw new NoSuchSandboxException("no sandbox has the uuid " + Quote.name(uuid));
    }

    /** Replaces a sandbox's labels and description (a null argument leaves that one as it is). */
    public SandboxInfo annotate(SandboxName name, Map<String, String> labels, String description) {
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name).withAnnotations(labels, description);
            store.write(record);
            return info(record, store.directory(name));
        }
    }

    /** The guest console log of a sandbox (which exists as soon as the sandbox does). */
    public Path consoleLog(SandboxName name) {
        store.get(name);
        return store.directory(name).consoleLog();
    }

    /** The network log of a sandbox: the connections the host refused ({@code network.log}; absent until one). */
    public Path networkLog(SandboxName name) {
        store.get(name);
        return store.directory(name).path().resolve(Networking.LOG_FILE);
    }

    /** Removes every sandbox whose time to live has passed, running or not; returns their names. */
    public List<SandboxName> gc() {
        sweepOrphans();
        Instant now = Instant.now();
        List<SandboxName> removed = new ArrayList<>();
        for (SandboxName name : store.names()) {
            Optional<SandboxRecord> record = findQuietly(name);
            if (record.isPresent() && record.get().expiresAt() != null
                    && Instant.parse(record.get().expiresAt()).isBefore(now)) {
                try {
                    remove(name, true);
                    removed.add(name);
                } catch (NoSuchSandboxException e) {
                    // removed by someone else meanwhile
                }
            }
        }
        return removed;
    }

    /** Moves a sandbox's expiry {@code by} later (from now, if it has already passed). */
    public SandboxInfo extendTtl(SandboxName name, Duration by) {
        if (by.isZero() || by.isNegative()) {
            throw new UserInputException("--by must be a positive duration");
        }
        try (FileLocks.Held lock = store.lock(name)) {
            SandboxRecord record = store.get(name);
            if (record.expiresAt() == null) {
                throw new UserInputException("sandbox '" + name + "' has no time to live (it never expires);"
                        + " nothing to extend");
            }
            Instant base = Instant.parse(record.expiresAt());
            Instant now = Instant.now();
            record = record.withExpiresAt((base.isBefore(now) ? now : base).plus(by).toString());
            store.write(record);
            return info(record, store.directory(name));
        }
    }

    /**
     * Removes one-shot sandboxes whose owning CLI is gone (killed with SIGKILL, say). Sandboxes someone holds
     * the lock of are skipped: they are being worked on.
     */
    public void sweepOrphans() {
        for (SandboxName name : store.leftoverDirectories(LEFTOVER_AGE)) {
            store.tryLock(name).ifPresent(held -> {
                try (held) {
                    if (!store.exists(name)) {
                        SandboxStore.deleteTree(store.directory(name).path());
                    }
                } catch (IOException | RuntimeException e) {
                    // best effort: the next command tries again
                }
            });
        }
        for (SandboxName name : store.names()) {
            Optional<SandboxRecord> record = findQuietly(name);
            ProcessIdentity owner = record.map(SandboxRecord::owner).orElse(null);
            if (owner == null || owner.isAlive()) {
                continue;
            }
            Optional<FileLocks.Held> lock = store.tryLock(name);
            if (lock.isEmpty()) {
                continue;
            }
            try (FileLocks.Held held = lock.get()) {
                findQuietly(name).filter(r -> r.owner() != null && !r.owner().isAlive())
                        .ifPresent(r -> discard(name, store.directory(name), r));
            } catch (RuntimeException e) {
                // best effort: the next command tries again
            }
        }
    }

    private Optional<SandboxRecord> findQuietly(SandboxName name) {
        try {
            return store.find(name);
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    Optional<MonitorRecord> monitor(SandboxDirectory dir) {
        if (!Files.isRegularFile(dir.monitor())) {
            return Optional.empty();
        }
        try {
            return Optional.of(SandboxJson.read(dir.monitor(), MonitorRecord.class));
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    /** Running when its monitor is alive (pid and start time); else stopped or exited by what was asked. */
    SandboxStatus status(SandboxRecord record, SandboxDirectory dir) {
        Optional<MonitorRecord> monitor = monitor(dir);
        if (monitor.isPresent() && monitor.get().process() != null && monitor.get().process().isAlive()) {
            return SandboxRecord.PAUSED.equals(record.desired()) ? SandboxStatus.PAUSED : SandboxStatus.RUNNING;
        }
        return SandboxRecord.STOPPED.equals(record.desired()) ? SandboxStatus.STOPPED : SandboxStatus.EXITED;
    }

    SandboxInfo info(SandboxRecord record, SandboxDirectory dir) {
        SandboxStatus status = status(record, dir);
        Optional<MonitorRecord> monitor = monitor(dir);
        String reason = null;
        List<String> console = List.of();
        if (status == SandboxStatus.EXITED) {
            reason = exitReason(dir, monitor);
            console = LogTail.lines(dir.consoleLog(), 15);
        }
        return new SandboxInfo(record, status,
                status.alive() ? monitor.get().process().pid() : 0,
                monitor.map(MonitorRecord::startedAt).orElse(null), SandboxDisk.ownBytes(dir.diskFile()), reason, console,
                status.alive() ? monitor.get().startedFrom() : null);
    }

    private static String exitReason(SandboxDirectory dir, Optional<MonitorRecord> monitor) {
        try {
            if (Files.isRegularFile(dir.lastExit())) {
                return LogTail.lines(dir.lastExit(), 1).stream().findFirst().orElse("unknown");
            }
        } catch (RuntimeException ignored) {
            // fall through to what the console says
        }
        List<String> tail = LogTail.lines(dir.consoleLog(), 40);
        String pid = monitor.map(m -> " (pid " + m.process().pid() + ")").orElse("");
        if (tail.stream().anyMatch(l -> l.contains("Kernel panic"))) {
            return "the guest kernel panicked; its monitor" + pid + " ended";
        }
        if (tail.stream().anyMatch(l -> l.contains("reboot: Power down") || l.contains("command exited with status"))) {
            return "the guest powered itself off; its monitor" + pid + " ended";
        }
        return "its monitor" + pid + " ended without agentkernel stopping it (killed from outside, or it crashed)";
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path file) {
        dev.agentkernel.store.AtomicFiles.deleteQuietly(file);
    }
}
