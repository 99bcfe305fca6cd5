package dev.agentkernel.vm;

import java.nio.file.Path;

/**
 * A kernel image and what belongs to it: its release ({@code 6.1.0-56-cloud-amd64}), its build configuration
 * ({@code /boot/config-<release>}, may be absent) and its modules ({@code /lib/modules/<release>}, may be absent).
 */
public record Kernel(Path image, String release, Path config, Path modulesDir) {
}
