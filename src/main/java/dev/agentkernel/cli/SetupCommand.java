package dev.agentkernel.cli;

import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.vm.Accelerator;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.Driver;
import dev.agentkernel.vm.KernelLocator;
import dev.agentkernel.vm.KernelSetup;
import dev.agentkernel.vm.PreparedKernel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel setup}: finds a kernel, checks its drivers, builds its initramfs, picks the accelerator. */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = "Find a kernel for the sandboxes, check its drivers and prepare its initramfs.")
public final class SetupCommand implements Callable<Integer> {
    @Option(names = "--kernel", paramLabel = "PATH",
            description = "Kernel image (default: $AGENTKERNEL_KERNEL, else the newest /boot/vmlinuz-*).")
    Path kernel;

    @Option(names = "--accel", paramLabel = "kvm|tcg", description = "QEMU accelerator (default: KVM when it works).")
    String accel;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        Path qemu = Backend.QEMU.require(env);
        PreparedKernel prepared = new KernelSetup(Main.home(spec), KernelLocator.system(), qemu)
                .prepare(kernel, accel == null ? null : Accelerator.parse(accel));
        PrintWriter out = spec.commandLine().getOut();
        out.println("kernel       " + prepared.kernel());
        for (Driver d : Driver.values()) {
            out.printf("  %-28s %s%n", d.moduleName(), prepared.report().presence(d).name().toLowerCase().replace('_', '-'));
        }
        out.println("initramfs    " + (prepared.initramfs() == null ? "not needed (drivers built in)"
                : prepared.initramfs() + " (" + prepared.report().modulesToLoad().size() + " modules)"));
        out.println("accelerator  " + prepared.accelerator().qemuName());
        for (Backend b : Backend.values()) {
            out.println("monitor      " + b.cliName() + ": " + b.find(env).map(Path::toString).orElse("not installed"));
        }
        out.flush();
        return 0;
    }
}
