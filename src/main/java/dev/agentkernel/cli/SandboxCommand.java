package dev.agentkernel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentkernel sandbox ...} (alias {@code sb}): the sandbox commands grouped, as agentkernel 0.18 has them. */
@Command(name = "sandbox", aliases = "sb", mixinStandardHelpOptions = true,
        description = "Persistent sandboxes: create, start, stop, rm, list, inspect, logs, exec, attach, exec-list, exec-logs, exec-kill, cp, gc, extend-ttl.",
        subcommands = {CreateCommand.class, StartCommand.class, StopCommand.class, RmCommand.class, ListCommand.class,
                InspectCommand.class, LogsCommand.class, ExecCommand.class, AttachCommand.class, ExecListCommand.class, ExecLogsCommand.class,
                ExecKillCommand.class, CpCommand.class, GcCommand.class, ExtendTtlCommand.class})
final class SandboxCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
