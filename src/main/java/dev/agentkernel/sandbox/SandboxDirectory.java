package dev.agentkernel.sandbox;

import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.vm.Backend;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of one sandbox, {@code sandboxes/<name>/}: its record, its copy-on-write disk, the monitor's
 * identity, the console log and the agent's sockets (one per virtio-serial port, or Firecracker's vsock socket).
 * The disk's format names the backend the sandbox was made for: a QEMU qcow2 overlay or a Firecracker raw copy.
 */
public record SandboxDirectory(Path path) {
    public Path record() {
        return path.resolve("sandbox.json");
    }

    /** The disk of a QEMU sandbox: a qcow2 overlay over the cached rootfs. */
    public Path disk() {
        return path.resolve("disk.qcow2");
    }

    /** The disk of a Firecracker sandbox, which reads raw images only: a reflink or sparse copy of the rootfs. */
    public Path rawDisk() {
        return path.resolve("disk.raw");
    }

    /** Its scratch disk, when its record asks for one ({@link ScratchDisk}). */
    public Path scratchDisk() {
        return path.resolve("scratch.ext4");
    }

    /** The backend this sandbox's disk was made for (QEMU when it has none yet). */
    public Backend diskBackend() {
        return Files.exists(rawDisk()) ? Backend.FIRECRACKER : Backend.QEMU;
    }

    /** Its disk, whichever backend made it. */
    public Path diskFile() {
        return diskBackend() == Backend.FIRECRACKER ? rawDisk() : disk();
    }

    /** Firecracker's vsock Unix socket (the same path QEMU's first virtio-serial port uses). */
    public Path vsockSocket() {
        return AgentPortLayout.socket(path, 0);
    }

    public Path monitor() {
        return path.resolve("monitor.json");
    }

    public Path consoleLog() {
        return path.resolve("console.log");
    }

    public Path monitorLog() {
        return path.resolve("monitor.log");
    }

    /** Why the monitor last ended, when agentkernel saw it end (a failed start). */
    public Path lastExit() {
        return path.resolve("exit.txt");
    }
}
