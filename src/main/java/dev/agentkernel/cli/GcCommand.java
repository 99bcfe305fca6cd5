package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel sandbox gc}: removes sandboxes whose time to live has passed. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Remove expired sandboxes (created with --ttl), running or not; prints their names.")
final class GcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<SandboxName> removed = new SandboxService(Main.home(spec), System.getenv()).gc();
        PrintWriter out = spec.commandLine().getOut();
        removed.forEach(out::println);
        out.flush();
        return 0;
    }
}
