package dev.agentkernel.snapshot;

import dev.agentkernel.rootfs.RootfsCache;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.FileLocks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The cache of booted VMs: per cached rootfs and machine fingerprint, the state of a VM saved right after its
 * agent first answered, in {@code rootfs/<rootfs key>.snapshots/<fingerprint key>/}. It belongs to the rootfs
 * entry (removed with it, kept while sandboxes pin it). One lock per fingerprint key: the process that boots
 * and saves holds it, so a second one starting the same image waits and restores instead of booting too.
 */
public final class BootSnapshots {
    private final AgentkernelHome home;

    public BootSnapshots(AgentkernelHome home) {
        this.home = home;
    }

    public SnapshotFiles files(MachineFingerprint fingerprint) {
        return new SnapshotFiles(new RootfsCache(home).snapshots(fingerprint.rootfsKey()).resolve(fingerprint.key()));
    }

    /** What the cache holds for a fingerprint. */
    public sealed interface Lookup {
        record Usable(SnapshotFiles files) implements Lookup {
        }

        record Missing() implements Lookup {
        }

        /** There is one, but it cannot serve: why (missing state, truncated, another QEMU, ...). */
        record Unusable(SnapshotFiles files, String reason) implements Lookup {
        }
    }

    public Lookup find(MachineFingerprint fingerprint) {
        SnapshotFiles files = files(fingerprint);
        if (!Files.isDirectory(files.dir())) {
            return new Lookup.Missing();
        }
        Optional<String> problem = files.problem(fingerprint);
        return problem.<Lookup>map(p -> new Lookup.Unusable(files, p)).orElseGet(() -> new Lookup.Usable(files));
    }

    /** The lock of a fingerprint, waiting at most {@code limit} for a process that is saving it; empty if it did not come free. */
    public Optional<FileLocks.Held> lock(MachineFingerprint fingerprint, Duration limit) {
        Path lockFile = home.locks().resolve("snapshot-" + fingerprint.key() + ".lock");
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            Optional<FileLocks.Held> held = FileLocks.tryExclusive(lockFile);
            if (held.isPresent() || Instant.now().isAfter(deadline)) {
                return held;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Deletes an unusable snapshot (under its lock) so a good one can take its place. */
    public void discard(SnapshotFiles files) {
        SnapshotCapture.deleteTree(files.dir());
    }
}
