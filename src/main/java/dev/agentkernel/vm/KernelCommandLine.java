package dev.agentkernel.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The guest kernel's command line, shared by the monitors. */
final class KernelCommandLine {
    private static final Pattern CPU_MHZ = Pattern.compile("(?m)^cpu MHz\\s*:\\s*([0-9.]+)");

    private KernelCommandLine() {
    }

    static String build(VmSpec spec, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("console=ttyS0", "root=/dev/vda", "rw", "rootfstype=ext4",
                "panic=-1", "quiet", "loglevel=3"));
        if (spec.kernel().initramfs() == null) {
            args.add("init=/init");
        }
        if (spec.kernel().accelerator() == Accelerator.TCG) {
            // without it, calibrating the TSC under emulation hangs about one boot in five
            hostTscKhz().ifPresent(khz -> args.add("tsc_early_khz=" + khz));
        }
        args.addAll(extra);
        return String.join(" ", args);
    }

    /** The host's CPU frequency in kHz from /proc/cpuinfo, when it says. */
    static java.util.OptionalLong hostTscKhz() {
        try {
            return parseCpuKhz(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return java.util.OptionalLong.empty();
        }
    }

    static java.util.OptionalLong parseCpuKhz(String cpuinfo) {
        Matcher m = CPU_MHZ.matcher(cpuinfo);
        if (!m.find()) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(Math.round(Double.parseDouble(m.group(1)) * 1000));
    }
}
