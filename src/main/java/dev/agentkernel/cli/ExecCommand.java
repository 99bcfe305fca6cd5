package dev.agentkernel.cli;

import dev.agentkernel.agent.DetachedProcess;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel exec NAME -- CMD...}: runs a command in a running sandbox; exits with its exit code. */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in a running sandbox; exits with the command's exit code.",
                "Output streams as the command writes it. -it gives an interactive terminal (as docker exec -it);"
                        + " -d runs it detached and prints its id for exec-list, exec-logs and exec-kill."})
final class ExecCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the guest.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user: a name from the guest's /etc/passwd or a uid, with an optional group.")
    String user;

    @Option(names = {"-i", "--interactive"}, description = "Forward stdin to the command until EOF.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the command a pseudo-terminal (with -i: this terminal, in raw mode).")
    boolean tty;

    @Option(names = {"-d", "--detach"}, description = "Run the command detached; print its id.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the command after this long (exit code 124).")
    Long timeoutSeconds;

    @Option(names = "--auto-resume", description = "Resume the sandbox first if it is paused (else that is an error).")
    boolean autoResume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (timeoutSeconds != null && timeoutSeconds <= 0) {
            throw new UserInputException("--timeout must be a positive number of seconds");
        }
        if (detach && (interactive || tty)) {
            throw new UserInputException("-d runs the command detached: it cannot take -i or -t");
        }
        ExecRequest request = new ExecRequest(command, KeyValues.parse(env, "-e"), workdir, user, tty, interactive,
                detach, timeoutSeconds == null ? 0 : Duration.ofSeconds(timeoutSeconds).toMillis());
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        SandboxName sandbox = SandboxName.of(name);
        if (autoResume && service.inspect(sandbox).status() == dev.agentkernel.sandbox.SandboxStatus.PAUSED) {
            service.resume(sandbox);
        }
        SandboxProcesses processes = new SandboxProcesses(service);
        if (detach) {
            DetachedProcess started = processes.detach(sandbox, request);
            spec.commandLine().getOut().println(started.session());
            spec.commandLine().getOut().flush();
            return 0;
        }
        return AttachedExec.run(processes, sandbox, request, spec);
    }
}
