package dev.agentkernel.sandbox;

import dev.agentkernel.rootfs.DiskUsage;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.DiskCopy;
import dev.agentkernel.vm.Qcow2Overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sandbox's disk. For QEMU a qcow2 overlay (written by {@link Qcow2Overlay}) whose read-only backing file is
 * the cached rootfs, so a new disk is ready in milliseconds whatever the image's size, costs only what the guest writes, and never changes the
 * cache. Firecracker reads raw images only: a reflink copy where the file system shares blocks, else a sparse
 * copy (seconds for a large image; the cache is only read either way).
 */
final class SandboxDisk {
    private SandboxDisk() {
    }

    static void create(Path rootfs, SandboxDirectory dir, Backend backend) {
        if (backend == Backend.FIRECRACKER) {
            DiskCopy.copy(rootfs, dir.rawDisk());
        } else {
            createOverlay(rootfs, dir.disk());
        }
    }

    private static void createOverlay(Path rootfs, Path disk) {
        Qcow2Overlay.create(disk, rootfs, Qcow2Overlay.BackingFormat.RAW);
    }

    /** A disk over a snapshot's disk (itself a qcow2 layer over the cached rootfs), never written through. */
    static void createOver(Path snapshotDisk, Path disk) {
        Qcow2Overlay.create(disk, snapshotDisk, Qcow2Overlay.BackingFormat.QCOW2);
    }

    /** The bytes the overlay takes on the host's disk: what the guest wrote, plus qcow2's own tables. */
    static long ownBytes(Path disk) {
        try {
            return Files.isRegularFile(disk) ? DiskUsage.of(disk, Files.size(disk)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
