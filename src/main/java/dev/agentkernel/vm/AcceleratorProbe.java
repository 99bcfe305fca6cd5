package dev.agentkernel.vm;

import dev.agentkernel.process.CommandRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds out whether KVM works: {@code /dev/kvm} can exist and still hang QEMU (nested virtualisation). The
 * probe boots the kernel with no root file system and {@code panic=-1}; with working KVM it panics and QEMU
 * exits within a second or two. Anything else (a hang, an abort) means TCG.
 */
public final class AcceleratorProbe {
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(8);

    private AcceleratorProbe() {
    }

    public static Accelerator probe(Path qemu, Path kernel, Path scratchDir) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return Accelerator.TCG;
        }
        Path console = scratchDir.resolve("kvm-probe-console.log");
        try {
            Files.createDirectories(scratchDir);
            List<String> argv = new ArrayList<>(List.of(qemu.toString(), "-M", "microvm", "-accel", "kvm", "-m", "128",
                    "-smp", "1", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-display", "none",
                    "-kernel", kernel.toString(), "-append", "console=ttyS0 panic=-1 quiet",
                    "-serial", "file:" + console));
            CommandRunner.Result r = CommandRunner.run(argv, PROBE_LIMIT);
            String log = Files.exists(console) ? Files.readString(console) : "";
            return r.exitCode() == 0 && log.contains("Kernel panic") ? Accelerator.KVM : Accelerator.TCG;
        } catch (RuntimeException | IOException e) {
            return Accelerator.TCG;
        } finally {
            try {
                Files.deleteIfExists(console);
            } catch (IOException ignored) {
                // a scratch file; the next probe overwrites it
            }
        }
    }
}
