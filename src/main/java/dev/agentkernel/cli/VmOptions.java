package dev.agentkernel.cli;

import dev.agentkernel.vm.SandboxOptions;
import dev.agentkernel.vm.VmSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The microVM options {@code create} and {@code run} share (a picocli mixin). */
final class VmOptions {
    @Option(names = "--memory", paramLabel = "MB", defaultValue = "" + SandboxOptions.DEFAULT_MEMORY_MB,
            description = "Guest memory in MB (default: ${DEFAULT-VALUE}).")
    int memoryMb;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "" + SandboxOptions.DEFAULT_CPUS,
            description = "Guest CPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--backend", paramLabel = "qemu|firecracker", description = "Monitor (default: the first installed).")
    String backend;

    @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel image (default: as `agentkernel setup` finds).")
    Path kernel;

    @Option(names = "--accel", paramLabel = "kvm|tcg", description = "QEMU accelerator (default: KVM when it works).")
    String accel;

    @Option(names = "--no-snapshot",
            description = "Boot the VM even when the image's boot snapshot could restore it, and save none.")
    boolean noSnapshot;

    /** Bad input unless the size is one a microVM can have. */
    void check() {
        VmSpec.checkSize(memoryMb, cpus);
    }

    String kernelPath() {
        return kernel == null ? null : kernel.toAbsolutePath().toString();
    }
}
