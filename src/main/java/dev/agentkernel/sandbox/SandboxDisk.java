package dev.agentkernel.sandbox;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.Executables;
import dev.agentkernel.rootfs.DiskUsage;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.DiskCopy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A sandbox's disk. For QEMU a qcow2 overlay whose read-only backing file is the cached rootfs, so a new disk is
 * ready in milliseconds whatever the image's size, costs only what the guest writes, and never changes the
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
        createOverlay(rootfs, "raw", disk);
    }

    /** A disk over a snapshot's disk (itself a qcow2 layer over the cached rootfs), never written through. */
    static void createOver(Path snapshotDisk, Path disk) {
        createOverlay(snapshotDisk, "qcow2", disk);
    }

    private static void createOverlay(Path backing, String backingFormat, Path disk) {
        if (Executables.find(System.getenv("PATH"), "qemu-img").isEmpty()) {
            throw new ToolException("qemu-img is not installed (Debian: apt-get install qemu-utils); sandboxes"
                    + " need it for their copy-on-write disks");
        }
        CommandRunner.Result r = CommandRunner.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", backingFormat,
                "-b", backing.toAbsolutePath().toString(), disk.toString()), Duration.ofSeconds(30));
        if (!r.succeeded() || !Files.isRegularFile(disk)) {
            throw new VmException("qemu-img could not create the disk " + disk + ": " + r.lastErrorLine());
        }
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
