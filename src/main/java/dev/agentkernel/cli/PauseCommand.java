package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel pause NAME...}: the guests' CPUs stop; memory, processes and connections are kept. */
@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Pause sandboxes: their CPUs stop (no CPU used, clock stopped), memory and processes are kept.")
final class PauseCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandbox names.")
    List<String> names;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return EachSandbox.apply(spec, names, SandboxService::pause);
    }
}
