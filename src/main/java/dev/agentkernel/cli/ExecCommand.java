package dev.agentkernel.cli;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel exec NAME -- CMD...}: runs a command in a running sandbox; exits with its exit code. */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run a command in a running sandbox; exits with the command's exit code.")
final class ExecCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the guest.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user (name or uid).")
    String user;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the command after this long (exit code 124).")
    Long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (timeoutSeconds != null && timeoutSeconds <= 0) {
            throw new UserInputException("--timeout must be a positive number of seconds");
        }
        ExecRequest request = new ExecRequest(command, KeyValues.parse(env, "-e"), workdir, user, false, false, false,
                timeoutSeconds == null ? 0 : Duration.ofSeconds(timeoutSeconds).toMillis());
        SandboxExec exec = new SandboxExec(new SandboxService(Main.home(spec), System.getenv()));
        RunResult r = exec.run(SandboxName.of(name), request);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunCommand.printExactly(r.stdoutBytes(), out, System.out);
        RunCommand.printExactly(r.stderrBytes(), err, System.err);
        if (r.timedOut()) {
            err.println("agentkernel: the command timed out after " + timeoutSeconds + " s and was killed");
            err.flush();
            return RunCommand.TIMED_OUT;
        }
        if (r.error() != null) {
            err.println("agentkernel: " + r.error());
        }
        err.flush();
        return r.exitCode();
    }
}
