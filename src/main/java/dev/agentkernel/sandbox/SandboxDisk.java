package dev.agentkernel.sandbox;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.Executables;
import dev.agentkernel.rootfs.DiskUsage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A sandbox's disk: a qcow2 overlay whose read-only backing file is the cached rootfs, so a new disk is ready
 * in milliseconds whatever the image's size, costs only what the guest writes, and never changes the cache.
 */
final class SandboxDisk {
    private SandboxDisk() {
    }

    static void create(Path rootfs, Path disk) {
        if (Executables.find(System.getenv("PATH"), "qemu-img").isEmpty()) {
            throw new ToolException("qemu-img is not installed (Debian: apt-get install qemu-utils); sandboxes"
                    + " need it for their copy-on-write disks");
        }
        CommandRunner.Result r = CommandRunner.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                "-b", rootfs.toAbsolutePath().toString(), disk.toString()), Duration.ofSeconds(30));
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
