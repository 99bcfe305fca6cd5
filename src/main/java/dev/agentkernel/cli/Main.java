package dev.agentkernel.cli;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.store.AgentkernelHome;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.function.Supplier;

/** The {@code agentkernel} command: parses the arguments, runs one sub-command, maps errors to exit codes. */
@Command(
        name = "agentkernel",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Secure, isolated microVM sandboxes for AI coding agents, made from container images.",
        subcommands = {
                CommandLine.HelpCommand.class,
                BuildCommand.class,
                ImagesCommand.class,
                PullCommand.class,
                RootfsCommand.class,
                SetupCommand.class,
                RunCommand.class,
                CompletionsCommand.class,
                DoctorCommand.class,
                CreateCommand.class,
                StartCommand.class,
                StopCommand.class,
                PauseCommand.class,
                ResumeCommand.class,
                SnapshotCommand.Fork.class,
                SnapshotCommand.class,
                RmCommand.class,
                ListCommand.class,
                InspectCommand.class,
                LogsCommand.class,
                ExecCommand.class, AttachCommand.class, ExecListCommand.class, ExecLogsCommand.class,
                ExecKillCommand.class,
                CpCommand.class,
                ExtendTtlCommand.class,
                SandboxCommand.class,
                ServeCommand.class,
                McpServerCommand.class,
        })
public final class Main implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The data directory, resolved on first use so that --help never looks at the environment. */
    private final Supplier<AgentkernelHome> home;

    private Main(Supplier<AgentkernelHome> home) {
        this.home = home;
    }

    /** The data directory of the command being run; sub-commands call this with their own spec. */
    static AgentkernelHome home(CommandLine.Model.CommandSpec commandSpec) {
        return ((Main) commandSpec.root().userObject()).home.get();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        PrintWriter err = ProcessStreams.ERR;
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        System.exit(ErrorReport.guard(() -> commandLine().setOut(ProcessStreams.OUT).setErr(err).execute(args), err,
                debug));
    }

    /** The configured command line, on the data directory of the environment. */
    public static CommandLine commandLine() {
        return commandLine(AgentkernelHome::fromEnvironment);
    }

    /** The configured command line on {@code home}; tests call {@code execute} with their own out and err writers. */
    public static CommandLine commandLine(AgentkernelHome home) {
        return commandLine(() -> home);
    }

    private static CommandLine commandLine(Supplier<AgentkernelHome> home) {
        CommandLine cl = new CommandLine(new Main(home));
        cl.setExecutionExceptionHandler(ErrorReport::handle);
        cl.setParameterExceptionHandler(Main::handleParameterError);
        return cl;
    }

    private static int handleParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("agentkernel: " + Quote.forTerminal(e.getMessage(), ErrorReport.MAX_MESSAGE));
        String name = cl.getCommandSpec().name();
        if (e instanceof CommandLine.UnmatchedArgumentException && (name.equals("exec") || name.equals("run"))) {
            // "exec box ls -la": the command's own options were read as ours
            err.println("agentkernel: put the command after --, as in: agentkernel " + name
                    + (name.equals("exec") ? " NAME" : " --image SOURCE") + " -- CMD ARGS...");
        }
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return 2;
    }
}
