package dev.agentkernel.sandbox;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.snapshot.NamedSnapshots;
import dev.agentkernel.snapshot.SnapshotCapture;
import dev.agentkernel.snapshot.SnapshotFiles;
import dev.agentkernel.snapshot.SnapshotHeader;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Saved running sandboxes: {@code snapshot take} (memory and disk of a running or paused sandbox, which goes on),
 * {@code snapshot restore} (a new sandbox that continues from there: its processes still running), list, remove,
 * and {@code fork} (the source's state streamed straight into a new VM, its disk layer copied). A snapshot's disk is flattened onto
 * the cached rootfs, which it pins; sandboxes restored from it have disks over its disk and are its users, so it
 * is kept while they exist.
 */
public final class SandboxSnapshots {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final String RECORD = "sandbox.json";

    /** A snapshot as list and inspect show it. */
    public record SnapshotInfo(String name, String sandbox, String image, String backend, int memoryMb, int cpus,
                               String createdAt, long bytes, List<String> users) {
    }

    private final SandboxService service;
    private final SandboxStore store;
    private final NamedSnapshots snapshots;

    public SandboxSnapshots(SandboxService service) {
        this.service = service;
        this.store = service.store();
        this.snapshots = new NamedSnapshots(service.home());
    }

    /** Saves the sandbox's memory and disk as snapshot {@code name} (null: SANDBOX-yyyyMMdd-HHmmss). */
    public SnapshotInfo take(SandboxName sandbox, String name) {
        String snapshot = NamedSnapshots.checkName(name != null ? name : sandbox + "-" + STAMP.format(Instant.now()));
        try (FileLocks.Held named = snapshots.lock(snapshot); FileLocks.Held lock = store.lock(sandbox)) {
            if (Files.exists(snapshots.files(snapshot).dir())) {
                throw new SandboxConflictException("a snapshot named '" + snapshot + "' already exists");
            }
            SandboxRecord record = store.get(sandbox);
            SandboxDirectory dir = store.directory(sandbox);
            boolean paused = requireSavable(record, dir);
            try {
                Files.createDirectories(snapshots.root());
            } catch (IOException e) {
                throw new StoreException("cannot create " + snapshots.root() + ": " + e.getMessage(), e);
            }
            Path target = snapshots.files(snapshot).dir();
            service.machine().capture(record, dir, target,
                    SnapshotCapture.DiskSaver.flattenOnto(Path.of(record.rootfs())), snapshot, paused,
                    temp -> SandboxJson.write(temp.resolve(RECORD), record));
            if (record.rootfsKey() != null) {
                try {
                    service.pin(record.rootfsKey(), Path.of(record.rootfs()), pinName(snapshot), target);
                } catch (RuntimeException e) {
                    snapshots.remove(snapshot);
                    throw e;
                }
            }
            return info(snapshot);
        }
    }

    /** Whether it is paused; a conflict unless it is a running or paused QEMU sandbox without published ports. */
    private boolean requireSavable(SandboxRecord record, SandboxDirectory dir) {
        SandboxStatus status = service.status(record, dir);
        if (!status.alive()) {
            throw new SandboxConflictException("sandbox '" + record.name() + "' is " + status.text()
                    + "; only a running or paused sandbox can be saved");
        }
        if (dir.diskBackend() != dev.agentkernel.vm.Backend.QEMU) {
            throw new UserInputException("snapshots and forks need the QEMU backend (Firecracker's snapshot API is"
                    + " not used yet)");
        }
        if (!record.network().publish().isEmpty()) {
            throw new UserInputException("sandbox '" + record.name() + "' publishes ports, which a copy could not"
                    + " take over: snapshots and forks are of sandboxes without -p");
        }
        return status == SandboxStatus.PAUSED;
    }

    private static String pinName(String snapshot) {
        return "snapshot:" + snapshot;
    }

    public List<SnapshotInfo> list() {
        List<SnapshotInfo> all = new ArrayList<>();
        for (String name : snapshots.names()) {
            try {
                all.add(info(name));
            } catch (StoreException e) {
                // removed meanwhile, or unreadable: list the others
            }
        }
        return all;
    }

    public SnapshotInfo info(String name) {
        SnapshotFiles files = snapshots.files(name);
        if (!Files.isRegularFile(files.header())) {
            throw new NoSuchSandboxException("no snapshot named '" + name + "' (see agentkernel snapshot list)");
        }
        SnapshotHeader header = files.readHeader();
        SandboxRecord record = SandboxJson.read(files.dir().resolve(RECORD), SandboxRecord.class);
        long bytes = 0;
        try {
            bytes = Files.size(files.state()) + Files.size(files.disk());
        } catch (IOException e) {
            // shown as 0: the files are checked when it is restored
        }
        return new SnapshotInfo(name, header.source(), record.image(), "qemu", record.memoryMb(), record.cpus(),
                header.createdAt(), bytes, snapshots.users(name));
    }

    /** A new running sandbox ({@code as}, default the snapshot's sandbox's name) that continues from the snapshot. */
    public SandboxInfo restore(String name, SandboxName as) {
        SnapshotInfo snapshot = info(name);
        SnapshotFiles files = snapshots.files(name);
        SandboxRecord source = SandboxJson.read(files.dir().resolve(RECORD), SandboxRecord.class);
        SandboxName target = as != null ? as : SandboxName.of(source.name());
        return startCopy(source, target, dir -> {
            try (FileLocks.Held named = snapshots.lock(name)) {
                if (!snapshots.exists(name)) {
                    throw new NoSuchSandboxException("snapshot '" + snapshot.name() + "' was removed meanwhile");
                }
                snapshots.addUser(name, target.value(), dir.path());
            }
        }, (record, dir) -> service.machine().startSaved(record, dir, files, null));
    }

    /** Removes a snapshot; one that restored sandboxes still build on is a conflict naming them. */
    public void remove(String name) {
        try (FileLocks.Held named = snapshots.lock(name)) {
            SnapshotInfo snapshot = info(name);
            if (!snapshot.users().isEmpty()) {
                throw new SandboxConflictException("snapshot '" + name + "' is the base of the disks of sandbox"
                        + (snapshot.users().size() == 1 ? " " : "es ") + String.join(", ", snapshot.users())
                        + ": remove them first");
            }
            SandboxRecord record = SandboxJson.read(snapshots.files(name).dir().resolve(RECORD), SandboxRecord.class);
            snapshots.remove(name);
            if (record.rootfsKey() != null) {
                service.unpin(record.rootfsKey(), pinName(name));
            }
        }
    }

    /**
     * Copies a running sandbox, memory and disk, into a new running sandbox {@code as}: both go on from the same
     * instant and diverge from there. The source is stopped only while its state is written.
     */
    public SandboxInfo fork(SandboxName source, SandboxName as) {
        try (FileLocks.Held lock = store.lock(source)) {
            SandboxRecord record = store.get(source);
            SandboxDirectory sourceDir = store.directory(source);
            boolean paused = requireSavable(record, sourceDir);
            List<String> bases = snapshots.usedBy(source.value());
            return startCopy(record, as, dir -> bases.forEach(b -> snapshots.addUser(b, as.value(), dir.path())),
                    (copy, dir) -> service.machine().fork(record, sourceDir, paused, copy, dir));
        }
    }

    private interface Starter {
        MonitorRecord start(SandboxRecord record, SandboxDirectory dir);
    }

    /** Makes sandbox {@code as} from {@code source}'s record and starts it; any failure leaves nothing behind. */
    private SandboxInfo startCopy(SandboxRecord source, SandboxName as, java.util.function.Consumer<SandboxDirectory> pins,
                                  Starter starter) {
        if (store.exists(as)) {
            throw new SandboxConflictException("a sandbox named '" + as + "' already exists");
        }
        try (FileLocks.Held lock = store.lock(as)) {
            if (store.exists(as)) {
                throw new SandboxConflictException("a sandbox named '" + as + "' already exists");
            }
            SandboxRecord record = source.copyAs(as.value(), SandboxUuid.next().toString(), Instant.now().toString());
            SandboxDirectory dir = store.createDirectory(as);
            try {
                if (record.rootfsKey() != null) {
                    service.pin(record.rootfsKey(), Path.of(record.rootfs()), as.value(), dir.path());
                }
                pins.accept(dir);
                store.write(record);
                starter.start(record, dir);
            } catch (RuntimeException e) {
                service.discard(as, dir, record);
                throw e;
            }
            return service.info(record, dir);
        }
    }

    static void deleteQuietly(Path file) {
        AtomicFiles.deleteQuietly(file);
    }
}
