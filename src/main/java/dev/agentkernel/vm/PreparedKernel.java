package dev.agentkernel.vm;

import java.nio.file.Path;

/**
 * A kernel ready to boot sandboxes: the image, the initramfs that loads its modular drivers (null when they
 * are built in), what it provides, and the accelerator QEMU should use on this host.
 */
public record PreparedKernel(Path kernel, Path initramfs, KernelReport report, Accelerator accelerator) {
}
