package dev.agentkernel.vm;

import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.rootfs.AgentChoice;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/** Real images for VM tests: a Podman-built busybox image converted by the project's own converter. */
public final class VmFixtures {
    private VmFixtures() {
    }

    /** Skips (locally) or fails (CI) unless QEMU and a kernel are here. */
    public static void requireQemuAndKernel() {
        RequiredTools.require("qemu-system-x86_64");
        try {
            KernelLocator.system().locate(null);
        } catch (RuntimeException e) {
            if (RequiredTools.isCi()) {
                throw new AssertionError("no kernel: " + e.getMessage());
            }
            org.junit.jupiter.api.Assumptions.abort("no kernel: " + e.getMessage());
        }
    }

    /** Builds a busybox image with Podman, saves it as a docker archive; returns the source string. */
    public static String busyboxArchive(BusyboxImages images) {
        String tag = images.build("RUN echo hello > /etc/greeting");
        return "docker-archive:" + images.saveDockerArchive(tag);
    }

    public static Path convert(AgentkernelHome home, String source, boolean withAgent) {
        RootfsOptions options = RootfsOptions.defaults().withFreeBytes(64L << 20);
        if (!withAgent) {
            options = options.withAgent(AgentChoice.none());
        }
        return new RootfsConverter(home).convert(SourceSpec.parse(source), options).path();
    }

    /** Options for tests: TCG (no probe; KVM hangs on these machines), small VM, default boot timeout. */
    public static SandboxOptions options(Path rootfs) {
        return new SandboxOptions(rootfs, Backend.QEMU, null, Accelerator.TCG, 256, 1,
                SandboxOptions.DEFAULT_BOOT_TIMEOUT, false);
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** QEMU processes whose command line mentions {@code home}: none may outlive a test. */
    public static List<ProcessHandle> monitorsUnder(Path home) {
        String marker = home.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(marker)).orElse(false))
                .toList();
    }

    /** Waits briefly for processes to disappear (the kernel reaps asynchronously). */
    public static List<ProcessHandle> monitorsUnderAfterWaiting(Path home) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<ProcessHandle> left = monitorsUnder(home);
        while (!left.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = monitorsUnder(home);
        }
        return left;
    }

    /**
     * Last-resort clean-up for a test class whose assertions failed midway: removes every sandbox under
     * {@code home} through the service (killing its monitor), then kills by PID any monitor still running there.
     * Returns the PIDs it had to kill that way (a test that passed leaves none).
     */
    public static List<Long> removeEverySandbox(Path home) {
        if (Files.isDirectory(home)) {
            dev.agentkernel.sandbox.SandboxService service =
                    new dev.agentkernel.sandbox.SandboxService(AgentkernelHome.at(home), System.getenv());
            service.list(); // sweeps one-shot sandboxes whose owner is gone
            for (var pool : service.pool().list()) {
                try {
                    service.pool().remove(pool.id()); // waits for a fill in the background
                } catch (RuntimeException e) {
                    // its monitors are killed below by PID
                }
            }
            for (dev.agentkernel.sandbox.SandboxName name : service.store().names()) {
                try {
                    service.remove(name, true);
                } catch (RuntimeException e) {
                    // killed below by PID
                }
            }
        }
        List<Long> killed = new java.util.ArrayList<>();
        for (ProcessHandle monitor : monitorsUnder(home)) {
            monitor.destroyForcibly();
            killed.add(monitor.pid());
        }
        monitorsUnderAfterWaiting(home);
        return killed;
    }

    /**
     * The end of a VM test class: removes every sandbox under {@code home} and fails if one's monitor had to be
     * killed by PID or a sandbox directory is left; then, whatever failed, closes {@code resources} and deletes
     * {@code work}. Null arguments (a set-up that failed early) are skipped.
     */
    public static void tearDown(Path home, Path work, AutoCloseable... resources) {
        try {
            if (home != null) {
                org.assertj.core.api.Assertions.assertThat(removeEverySandbox(home))
                        .as("monitors that rm -f did not end").isEmpty();
                org.assertj.core.api.Assertions.assertThat(sandboxDirs(AgentkernelHome.at(home))).isEmpty();
            }
        } finally {
            for (AutoCloseable resource : resources) {
                if (resource != null) {
                    try {
                        resource.close();
                    } catch (Exception e) {
                        throw new AssertionError("closing " + resource + " failed", e);
                    }
                }
            }
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    public static void deleteTree(Path dir) {
        Sandbox.deleteTree(dir);
    }

    public static List<Path> sandboxDirs(AgentkernelHome home) {
        if (!Files.isDirectory(home.sandboxes())) {
            return List.of();
        }
        try (var dirs = Files.list(home.sandboxes())) {
            return dirs.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
