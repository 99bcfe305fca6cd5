package dev.agentkernel.vm;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to start a sandbox: the cached rootfs to copy (never modified; null when an image is converted first), the monitor, the machine's size, how
 * long the guest may take to answer its first ping, and whether to keep its files afterwards.
 */
public record SandboxOptions(Path rootfs, Backend backend, Path kernel, Accelerator accelerator, int memoryMb, int cpus,
                             Duration bootTimeout, boolean keep) {
    public static final int DEFAULT_MEMORY_MB = 512;
    public static final int DEFAULT_CPUS = 1;
    /** Generous, for TCG on a loaded machine; KVM boots take well under a second. */
    public static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofSeconds(120);
}
