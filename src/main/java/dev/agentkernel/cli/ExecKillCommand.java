package dev.agentkernel.cli;

import dev.agentkernel.agent.Signals;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code agentkernel exec-kill NAME ID}: signals a running detached command's process group. */
@Command(name = "exec-kill", mixinStandardHelpOptions = true,
        description = "Stop a running detached command (SIGTERM to its process group, or --signal).")
final class ExecKillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Parameters(index = "1", paramLabel = "ID", description = "The id exec -d printed.")
    String id;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "TERM",
            description = "The signal, by name (TERM, KILL, INT, ...) or number. Default: ${DEFAULT-VALUE}.")
    String signal;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxName sandbox = SandboxName.of(name);
        try {
            Signals.check(signal);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--signal: " + e.getMessage());
        }
        new SandboxProcesses(new SandboxService(Main.home(spec), System.getenv()))
                .kill(sandbox, DetachedId.parse(sandbox, id), signal);
        return 0;
    }
}
