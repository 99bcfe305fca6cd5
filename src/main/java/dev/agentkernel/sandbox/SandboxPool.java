package dev.agentkernel.sandbox;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.net.NetworkMode;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.rootfs.RootfsPins;
import dev.agentkernel.rootfs.RootfsResult;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.SandboxOptions;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Warm pools: {@code pools/<id>/} holds a pool's definition and its members, sandboxes already restored (or
 * booted), reseeded and waiting, each in a directory of its own. A {@code create} (or {@code run}) that asks for
 * exactly what a pool holds takes a member by renaming its directory to {@code sandboxes/<name>} under the
 * running monitor, which needs nothing of the old path: QEMU holds its disk and console by descriptor, listens
 * on its sockets (found by their new path) and writes its network log relative to its working directory, the
 * renamed directory. The rename is atomic, so two claimers never take one member. The new owner then reseeds the
 * guest again and gives it its name; a process started in the background tops the pool up.
 *
 * <p>Only the default network is pooled: a sandbox with an allowlist, published ports or other resolvers is
 * restored as before. Pools need QEMU.
 */
public final class SandboxPool {
    private static final String DEFINITION = "pool.json";
    /** Written once a member's agent answered; a member without it is being started, or was left by a killed fill. */
    private static final String READY = "pool-ready";
    private static final String TRASH_PREFIX = ".trash-";
    private static final Duration FILL_LOCK_WAIT = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A pool as {@code pool ls} shows it: how many members are ready and what they hold of the host's memory. */
    public record PoolInfo(String id, PoolDefinition definition, int ready, int starting, long pssBytes) {
    }

    private final SandboxService service;
    private final Path root;
    private final RootfsPins pins;
    private final Consumer<String> refill;

    SandboxPool(SandboxService service, Consumer<String> refill) {
        this.service = service;
        this.root = service.home().root().resolve("pools");
        this.pins = new RootfsPins(service.home());
        this.refill = refill;
    }

    /**
     * Creates or resizes the pool of {@code definition}'s image and machine and fills it now (in this process);
     * size 0 removes it, its sandboxes stopped. Returns the pool as it is afterwards.
     */
    public PoolInfo set(PoolDefinition definition, ConversionListener listener) {
        String id = definition.id();
        if (definition.size() == 0) {
            remove(id);
            return new PoolInfo(id, definition, 0, 0, 0);
        }
        Optional<PoolDefinition> existing = find(id);
        PoolDefinition kept = existing.map(d -> d.withSize(definition.size())).orElse(definition);
        try {
            Files.createDirectories(dir(id));
        } catch (IOException e) {
            throw new StoreException("cannot create " + dir(id) + ": " + e.getMessage(), e);
        }
        SandboxJson.write(dir(id).resolve(DEFINITION), kept);
        try {
            fill(id, listener);
        } catch (RuntimeException e) {
            if (existing.isEmpty()) {
                remove(id); // a pool that could not start one sandbox is not kept half made
            }
            throw e;
        }
        return info(id, kept);
    }

    /** Every pool, sorted by id. */
    public List<PoolInfo> list() {
        List<PoolInfo> all = new ArrayList<>();
        for (String id : ids()) {
            find(id).ifPresent(d -> all.add(info(id, d)));
        }
        return all;
    }

    /** The pool with this id, or the one pool of this image (bad input when none or several). */
    public String resolve(String idOrImage) {
        if (find(idOrImage).isPresent()) {
            return idOrImage;
        }
        List<String> matches = new ArrayList<>();
        for (String id : ids()) {
            find(id).filter(d -> d.image().equals(idOrImage)).ifPresent(d -> matches.add(id));
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw new UserInputException(matches.isEmpty() ? "no pool is named or holds " + idOrImage + " (see: agentkernel pool ls)"
                : "several pools hold " + idOrImage + " (" + String.join(", ", matches) + "): name one by its id");
    }

    /** Stops a pool's sandboxes and removes it; a fill in progress is waited for. */
    public void remove(String id) {
        Optional<PoolDefinition> definition = find(id);
        if (definition.isEmpty() && !Files.isDirectory(dir(id))) {
            throw new UserInputException("no pool has the id " + id);
        }
        // size 0 first: a fill that is running stops after the member it is starting
        definition.ifPresent(d -> SandboxJson.write(dir(id).resolve(DEFINITION), d.withSize(0)));
        try (FileLocks.Held lock = fillLock(id)) {
            sweepTrash(id);
            for (Path member : members(id)) {
                discardMember(id, member);
            }
            AtomicFiles.deleteQuietly(dir(id).resolve(DEFINITION));
            SandboxStore.deleteTree(dir(id));
        } catch (IOException e) {
            throw new StoreException("cannot delete the pool " + dir(id) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tops the pool up to its size (and trims it down to it), removing members whose monitor died or whose image
     * has changed since; one fill at a time per pool, the others wait for it and then find nothing to do.
     */
    public void fill(String id, ConversionListener listener) {
        try (FileLocks.Held lock = fillLock(id)) {
            sweepTrash(id);
            // bounded: sandboxes that die as soon as they are started must not keep a fill starting new ones
            for (int starts = 0; ; ) {
                Optional<PoolDefinition> definition = find(id);
                if (definition.isEmpty()) {
                    return;
                }
                List<Path> ready = sweep(id, definition.get());
                if (ready.size() > definition.get().size()) {
                    discardMember(id, ready.get(ready.size() - 1));
                } else if (ready.size() < definition.get().size()) {
                    if (++starts > 2 * PoolDefinition.MAX_SIZE) {
                        throw new dev.agentkernel.errors.VmException("the pool " + id + " started " + (starts - 1)
                                + " sandboxes and still has " + ready.size() + " of " + definition.get().size()
                                + " ready: its sandboxes end as soon as they start (see their console logs)");
                    }
                    startMember(id, definition.get(), listener);
                } else {
                    return;
                }
            }
        }
    }

    /**
     * Takes a ready member that serves {@code wanted} (a new sandbox's record, its image converted) as the sandbox
     * {@code name}: its directory renamed to the sandbox's and its rootfs pin moved with it. The caller holds the
     * name's lock, has found the name free, and gives the sandbox its record and settings next. Empty when no
     * pool serves the request.
     */
    Optional<SandboxDirectory> claim(SandboxRecord wanted, SandboxName name) {
        if (wanted.rootfsKey() == null || !pooled(wanted.network()) || !Files.isDirectory(root)) {
            return Optional.empty();
        }
        SandboxDirectory target = service.store().directory(name);
        if (!SandboxStore.hasSocketRoom(target)) {
            return Optional.empty(); // the create that follows says why
        }
        for (String id : ids()) {
            boolean discarded = false;
            for (Path member : members(id)) {
                if (!Files.isRegularFile(member.resolve(READY))) {
                    continue;
                }
                Optional<SandboxRecord> record = readRecord(member);
                if (record.isEmpty() || !serves(record.get(), wanted)) {
                    continue;
                }
                if (!moveInto(id, member, target, wanted.rootfsKey(), name)) {
                    continue; // taken by another claim, or removed, a moment ago
                }
                AtomicFiles.deleteQuietly(target.path().resolve(READY));
                if (service.monitor(target).map(m -> m.process().isAlive()).orElse(false)) {
                    refill.accept(id);
                    return Optional.of(target);
                }
                service.discard(name, target, record.get()); // its monitor died while it waited
                discarded = true;
            }
            if (discarded) {
                refill.accept(id); // the pool is short of what died
            }
        }
        return Optional.empty();
    }

    /** Whether some pool may serve a sandbox with this network (cheap: no record is read). */
    boolean mightServe(NetworkOptions network) {
        return pooled(network) && !ids().isEmpty();
    }

    /** Renames the member to the sandbox's directory with its pin, under the rootfs's lock (so no prune sees it unpinned). */
    private boolean moveInto(String id, Path member, SandboxDirectory target, String rootfsKey, SandboxName name) {
        try (FileLocks.Held lock = new RootfsCache(service.home()).lock(rootfsKey)) {
            if (Files.exists(target.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                SandboxStore.deleteTree(target.path()); // a failed create's leftover: the caller found no record
            }
            Files.createDirectories(target.path().getParent());
            Files.move(member, target.path(), StandardCopyOption.ATOMIC_MOVE);
            pins.pin(rootfsKey, name.value(), target.path());
            pins.unpin(rootfsKey, pinUser(id, member));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Only the default network is pooled: the other modes and published ports shape the monitor's command line. */
    private static boolean pooled(NetworkOptions network) {
        return network.mode() == NetworkMode.DEFAULT && network.allowHosts().isEmpty() && network.publish().isEmpty()
                && !network.noHostAccess() && network.dns().isEmpty();
    }

    private static boolean serves(SandboxRecord member, SandboxRecord wanted) {
        return wanted.scratchDiskBytes() == null && member.scratchDiskBytes() == null // a build VM's drive
                && Objects.equals(member.rootfsKey(), wanted.rootfsKey()) && member.memoryMb() == wanted.memoryMb()
                && member.cpus() == wanted.cpus() && Objects.equals(member.backend(), wanted.backend())
                && Objects.equals(member.kernel(), wanted.kernel())
                && Objects.equals(member.accelerator(), wanted.accelerator());
    }

    /**
     * Removes what cannot serve (members left half started, whose monitor died, or made from an older conversion
     * of the image) and returns the ready members, oldest first.
     */
    private List<Path> sweep(String id, PoolDefinition definition) {
        String currentKey = null;
        List<Path> ready = new ArrayList<>();
        for (Path member : members(id)) {
            Optional<SandboxRecord> record = readRecord(member);
            boolean alive = service.monitor(new SandboxDirectory(member)).map(m -> m.process().isAlive()).orElse(false);
            if (record.isEmpty() || !alive || !Files.isRegularFile(member.resolve(READY))) {
                discardMember(id, member);
                continue;
            }
            if (currentKey == null) {
                currentKey = convert(definition, ConversionListener.NONE).cacheKey();
            }
            if (!currentKey.equals(record.get().rootfsKey())) {
                discardMember(id, member); // the image changed: its members would never be claimed
                continue;
            }
            ready.add(member);
        }
        ready.sort((a, b) -> Long.compare(modified(a.resolve(READY)), modified(b.resolve(READY))));
        return ready;
    }

    /** Starts one member (restored from the image's boot snapshot, or booted and saving it) and marks it ready. */
    private void startMember(String id, PoolDefinition definition, ConversionListener listener) {
        String member = "m" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
        SandboxDirectory dir = new SandboxDirectory(dir(id).resolve(member));
        if (!SandboxStore.hasSocketRoom(dir)) {
            throw new UserInputException("the data directory " + service.home().root() + " is too deep for the pool's"
                    + " Unix sockets: set AGENTKERNEL_HOME to a shorter path");
        }
        RootfsResult rootfs = convert(definition, listener);
        SandboxRecord record = new SandboxRecord(member, SandboxUuid.next().toString(), definition.image(), null, null,
                null, null, definition.backend(), definition.kernel(), definition.accelerator(), definition.memoryMb(),
                definition.cpus(), Map.of(), null, Map.of(), Instant.now().toString(), null, SandboxRecord.RUNNING,
                null, null, NetworkOptions.defaults()).withImage(rootfs);
        Backend backend = service.machine().check(record);
        if (backend != Backend.QEMU) {
            throw new UserInputException("pools need the QEMU backend (a pooled sandbox is renamed under its running"
                    + " monitor, which only QEMU has been checked for)");
        }
        try {
            Files.createDirectories(dir.path().resolve("ports"));
            service.pin(rootfs.cacheKey(), rootfs.path(), pinUser(id, dir.path()), dir.path());
            SandboxJson.write(dir.record(), record);
            service.machine().startNew(record, dir, backend, SandboxOptions.DEFAULT_BOOT_TIMEOUT, true,
                    listener::warning);
            AtomicFiles.write(dir.path().resolve(READY), new byte[0]);
        } catch (IOException | RuntimeException e) {
            discardMember(id, dir.path());
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("cannot create " + dir.path() + ": " + e.getMessage(), e);
        }
    }

    /** Renames a member out of reach of claims, then ends its monitor and deletes it with its pin. */
    private void discardMember(String id, Path member) {
        Path trash = member.resolveSibling(TRASH_PREFIX + member.getFileName());
        try {
            Files.move(member, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return; // claimed meanwhile, or already gone
        }
        SandboxDirectory dir = new SandboxDirectory(trash);
        service.monitor(dir).filter(m -> m.process().isAlive()).ifPresent(m -> service.machine().kill(m));
        Optional<SandboxRecord> record = readRecord(trash);
        try {
            SandboxStore.deleteTree(trash);
        } catch (IOException e) {
            // what is left is swept with the pool's next fill or removal
        } finally {
            record.filter(r -> r.rootfsKey() != null).ifPresent(r -> pins.unpin(r.rootfsKey(), pinUser(id, member)));
        }
    }

    private RootfsResult convert(PoolDefinition definition, ConversionListener listener) {
        return new RootfsConverter(service.home()).convert(SourceSpec.parse(definition.image()),
                RootfsOptions.defaults(), listener);
    }

    private PoolInfo info(String id, PoolDefinition definition) {
        int ready = 0;
        int starting = 0;
        long pss = 0;
        for (Path member : members(id)) {
            Optional<MonitorRecord> monitor = service.monitor(new SandboxDirectory(member));
            if (monitor.isEmpty() || !monitor.get().process().isAlive()) {
                continue;
            }
            if (Files.isRegularFile(member.resolve(READY))) {
                ready++;
            } else {
                starting++;
            }
            pss += dev.agentkernel.process.ProcessMemory.pssBytes(monitor.get().process().pid());
        }
        return new PoolInfo(id, definition, ready, starting, pss);
    }

    Optional<PoolDefinition> find(String id) {
        if (!id.matches("[0-9a-f]{12}")) {
            return Optional.empty();
        }
        Path file = dir(id).resolve(DEFINITION);
        try {
            return Files.isRegularFile(file) ? Optional.of(SandboxJson.read(file, PoolDefinition.class))
                    : Optional.empty();
        } catch (StoreException | UserInputException e) {
            return Optional.empty();
        }
    }

    private List<String> ids() {
        return entries(root, p -> p.getFileName().toString().matches("[0-9a-f]{12}"));
    }

    /** The pool's member directories (trash excluded), in no particular order. */
    private List<Path> members(String id) {
        List<Path> members = new ArrayList<>();
        for (String name : entries(dir(id), p -> p.getFileName().toString().matches("m[0-9a-f]{8}")
                && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            members.add(dir(id).resolve(name));
        }
        return members;
    }

    /** What a removal or trim killed halfway left ({@code .trash-*}); with the fill lock held. */
    private void sweepTrash(String id) {
        for (String name : entries(dir(id), p -> p.getFileName().toString().startsWith(TRASH_PREFIX))) {
            Path trash = dir(id).resolve(name);
            service.monitor(new SandboxDirectory(trash)).filter(m -> m.process().isAlive())
                    .ifPresent(m -> service.machine().kill(m));
            try {
                SandboxStore.deleteTree(trash);
            } catch (IOException ignored) {
                // tried again next time
            }
        }
    }

    private static List<String> entries(Path dir, java.util.function.Predicate<Path> keep) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (keep.test(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        names.sort(null);
        return names;
    }

    private static Optional<SandboxRecord> readRecord(Path member) {
        Path file = member.resolve("sandbox.json");
        try {
            return Files.isRegularFile(file) ? Optional.of(SandboxJson.read(file, SandboxRecord.class)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private FileLocks.Held fillLock(String id) {
        Path lockFile = service.home().locks().resolve("pool-" + id + ".lock");
        Instant deadline = Instant.now().plus(FILL_LOCK_WAIT);
        while (true) {
            Optional<FileLocks.Held> held = FileLocks.tryExclusive(lockFile);
            if (held.isPresent()) {
                return held.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StoreException("another process has been filling the pool " + id + " for over "
                        + FILL_LOCK_WAIT.toMinutes() + " minutes");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting to fill the pool " + id);
            }
        }
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    /** The pin of a member: a name no sandbox can have (':' is not allowed in them). */
    private static String pinUser(String id, Path member) {
        return "pool:" + id + ":" + member.getFileName().toString().replaceFirst("^" + TRASH_PREFIX, "");
    }
}
