package dev.agentkernel.cli;

import dev.agentkernel.agent.LogStream;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/** {@code agentkernel exec-logs NAME ID}: what a detached command wrote, from its start. */
@Command(name = "exec-logs", mixinStandardHelpOptions = true,
        description = "Print a detached command's output so far (stdout, or stderr with --stderr).")
final class ExecLogsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Parameters(index = "1", paramLabel = "ID", description = "The id exec -d printed.")
    String id;

    @Option(names = "--stderr", description = "Print its stderr instead of its stdout.")
    boolean stderr;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxName sandbox = SandboxName.of(name);
        byte[] log = new SandboxProcesses(new SandboxService(Main.home(spec), System.getenv()))
                .log(sandbox, DetachedId.parse(sandbox, id), stderr ? LogStream.STDERR : LogStream.STDOUT);
        try (OutputStream out = ProcessStreams.bytesOf(spec.commandLine().getOut())) {
            out.write(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }
}
