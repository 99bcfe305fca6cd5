package dev.agentkernel.vm;

import dev.agentkernel.errors.UserInputException;

import java.nio.file.Path;

/**
 * What one microVM is built from: the prepared kernel, the sandbox's own writable disk (a raw copy, or a
 * qcow2 overlay over the cached rootfs for persistent sandboxes), its size, the sandbox directory where the
 * monitor puts the agent's sockets and the console log, how many agent ports it gets, and an optional second
 * drive (a raw scratch disk, {@code null} for none).
 */
public record VmSpec(PreparedKernel kernel, Path disk, DiskFormat diskFormat, int memoryMb, int cpus,
                     Path sandboxDir, int agentPorts, ScratchDrive scratch) {
    /**
     * A second, raw drive of exactly {@code bytes} bytes: the guest finds it by its ext4 volume label, not by its
     * device name (see {@code agent build-mount}).
     */
    public record ScratchDrive(Path file, long bytes) {
        public ScratchDrive {
            if (file == null || bytes <= 0 || bytes % 4096 != 0) {
                throw new IllegalArgumentException("a scratch drive needs a file and a size in whole 4 KiB blocks");
            }
        }
    }

    /** A VM with the root disk only. */
    public VmSpec(PreparedKernel kernel, Path disk, DiskFormat diskFormat, int memoryMb, int cpus, Path sandboxDir,
                  int agentPorts) {
        this(kernel, disk, diskFormat, memoryMb, cpus, sandboxDir, agentPorts, null);
    }

    /** How the sandbox's disk file is laid out. */
    public enum DiskFormat {
        /** A private raw copy, thrown away with the one-shot sandbox. */
        RAW,
        /** A copy-on-write overlay that persists across stop and start. */
        QCOW2
    }

    /** A one-shot VM: a raw disk copy and one agent port. */
    public VmSpec(PreparedKernel kernel, Path disk, int memoryMb, int cpus, Path sandboxDir) {
        this(kernel, disk, DiskFormat.RAW, memoryMb, cpus, sandboxDir, 1);
    }

    public VmSpec {
        if (agentPorts < 1 || agentPorts > dev.agentkernel.agent.AgentPortLayout.PORTS) {
            throw new IllegalArgumentException("agent ports must be 1.." + dev.agentkernel.agent.AgentPortLayout.PORTS);
        }
        checkSize(memoryMb, cpus);
    }

    /** Bad input unless the memory and CPU count are ones a microVM can have. */
    public static void checkSize(int memoryMb, int cpus) {
        if (memoryMb < 64 || memoryMb > 1 << 20) {
            throw new UserInputException("--memory must be between 64 and 1048576 MB, not " + memoryMb);
        }
        if (cpus < 1 || cpus > 64) {
            throw new UserInputException("--cpus must be between 1 and 64, not " + cpus);
        }
    }

    public Path consoleLog() {
        return sandboxDir.resolve("console.log");
    }

    /** QEMU's QMP control socket. */
    public Path qmpSocket() {
        return sandboxDir.resolve("qmp.sock");
    }

    /** The socket of agent port 0, the one a version-1 host uses. */
    public Path agentSocket() {
        return dev.agentkernel.agent.AgentPortLayout.socket(sandboxDir, 0);
    }
}
