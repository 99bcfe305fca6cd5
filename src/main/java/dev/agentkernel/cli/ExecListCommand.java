package dev.agentkernel.cli;

import dev.agentkernel.agent.DetachedInfo;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel exec-list NAME}: the detached commands of a running sandbox, oldest first. */
@Command(name = "exec-list", mixinStandardHelpOptions = true,
        description = "List a sandbox's detached commands (started with exec -d): id, pid, status, started, command.")
final class ExecListCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<DetachedInfo> commands = new SandboxProcesses(new SandboxService(Main.home(spec), System.getenv()))
                .list(SandboxName.of(name));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            SandboxView.printJson(commands.stream().map(ExecListCommand::json).toList(), out);
        } else {
            Table table = new Table("ID", "PID", "STATUS", "STARTED", "COMMAND");
            for (DetachedInfo d : commands) {
                table.row(Long.toString(d.session()), Long.toString(d.pid()), status(d),
                        d.startedAt() == null ? "-" : d.startedAt().toString(), commandLine(d.command()));
            }
            table.print(out);
        }
        out.flush();
        return 0;
    }

    static String status(DetachedInfo d) {
        if (d.running()) {
            return "running";
        }
        if (d.timedOut()) {
            return "timed out";
        }
        return d.signal() != 0 ? "killed (signal " + d.signal() + ")" : "exited (" + d.exitCode() + ")";
    }

    /** The command as one line of the table: guest text, so escaped and bounded. */
    private static String commandLine(List<String> command) {
        return dev.agentkernel.errors.Quote.escape(String.join(" ", command), 80);
    }

    private static Map<String, Object> json(DetachedInfo d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.session());
        m.put("pid", d.pid());
        m.put("running", d.running());
        m.put("exit_code", d.exitCode());
        m.put("signal", d.signal());
        m.put("timed_out", d.timedOut());
        m.put("command", d.command());
        m.put("started_at", d.startedAt() == null ? null : d.startedAt().toString());
        m.put("ended_at", d.endedAt() == null ? null : d.endedAt().toString());
        return m;
    }
}
