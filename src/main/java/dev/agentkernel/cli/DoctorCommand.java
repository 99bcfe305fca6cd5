package dev.agentkernel.cli;

import dev.agentkernel.vm.KernelLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code agentkernel doctor}: what this machine has for sandboxes, each ok / warning / error with what to do. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check the kernel and its drivers, monitors, accelerator, engines and the data directory.")
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<DoctorChecks.Finding> findings = new DoctorChecks(Main.home(spec), KernelLocator.system(),
                System.getenv()).run();
        PrintWriter out = spec.commandLine().getOut();
        for (DoctorChecks.Finding f : findings) {
            out.printf(Locale.ROOT, "%-8s %-34s %s%n", f.level().name().toLowerCase(Locale.ROOT), f.subject(),
                    f.detail());
        }
        long errors = findings.stream().filter(f -> f.level() == DoctorChecks.Level.ERROR).count();
        long warnings = findings.stream().filter(f -> f.level() == DoctorChecks.Level.WARNING).count();
        out.println(errors == 0 && warnings == 0 ? "all checks passed"
                : errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
        out.flush();
        return errors == 0 ? 0 : 1;
    }
}
