package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel start NAME...}: boots stopped or exited sandboxes on their disks. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start stopped sandboxes (their disks are kept).")
final class StartCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandbox names.")
    List<String> names;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return EachSandbox.apply(spec, names, SandboxService::start);
    }
}
