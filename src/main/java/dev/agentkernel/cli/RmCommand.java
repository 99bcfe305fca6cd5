package dev.agentkernel.cli;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel rm NAME... [-f]}: removes sandboxes and their disks. */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Remove sandboxes and their disks; a running one needs -f, which kills it.")
final class RmCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandbox names.")
    List<String> names;

    @Option(names = {"-f", "--force"}, description = "Kill running sandboxes first.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = 0;
        for (String name : names) {
            try {
                service.remove(SandboxName.of(name), force);
                out.println(name);
            } catch (AgentkernelException e) {
                // the others are still removed, as docker rm does; the exit code tells
                err.println("agentkernel: " + e.getMessage());
                exit = Math.max(exit, e.exitCode());
            }
        }
        out.flush();
        err.flush();
        return exit;
    }
}
