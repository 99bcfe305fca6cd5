package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel resume NAME...}: paused sandboxes continue where they were. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Resume paused sandboxes where they were (their clocks set to the host's).")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandbox names.")
    List<String> names;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return EachSandbox.apply(spec, names, SandboxService::resume);
    }
}
