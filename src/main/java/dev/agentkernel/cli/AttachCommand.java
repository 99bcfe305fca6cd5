package dev.agentkernel.cli;

import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel attach NAME}: an interactive shell in a running sandbox, as {@code exec -it NAME -- bash}. */
@Command(name = "attach", aliases = "shell", mixinStandardHelpOptions = true,
        description = {"Open an interactive shell in a running sandbox (/bin/bash if the image has it, else /bin/sh).",
                "Exits with the shell's exit status."})
final class AttachCommand implements Callable<Integer> {
    /** Chooses the shell inside the guest, so the choice costs no extra round trip. */
    static final List<String> SHELL = List.of("/bin/sh", "-c",
            "if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh");

    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the guest.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run the shell as this user.")
    String user;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ExecRequest request = new ExecRequest(SHELL, KeyValues.parse(env, "-e"), workdir, user, true, true, false, 0);
        SandboxProcesses processes = new SandboxProcesses(new SandboxService(Main.home(spec), System.getenv()));
        return AttachedExec.run(processes, SandboxName.of(name), request, spec);
    }
}
