package dev.agentkernel.cli;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.store.AgentkernelHome;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The {@code agentkernel} command: parses the arguments, runs one sub-command, maps errors to exit codes. */
@Command(
        name = "agentkernel",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Secure, isolated microVM sandboxes for AI coding agents, made from container images.")
public final class Main implements Runnable {
    /**
     * The sub-commands, in the order help lists them. Picocli builds the model of every command it is given,
     * which took 150 ms of a 0.7 s {@code run}, so a command line for one sub-command holds only that one.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
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
            PoolCommand.class,
            RmCommand.class,
            ListCommand.class,
            InspectCommand.class,
            LogsCommand.class,
            ExecCommand.class,
            AttachCommand.class,
            ExecListCommand.class,
            ExecLogsCommand.class,
            ExecKillCommand.class,
            CpCommand.class,
            ExtendTtlCommand.class,
            SandboxCommand.class,
            ServeCommand.class,
            McpServerCommand.class);

    /** Sub-commands that need the whole tree: help lists it, completions walks it. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completions");

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
        boolean debug = Arrays.asList(args).contains("--debug");
        System.exit(ErrorReport.guard(() -> commandLine(AgentkernelHome::fromEnvironment, args).setOut(ProcessStreams.OUT).setErr(err).execute(args), err,
                debug));
    }

    /** The configured command line, on the data directory of the environment. */
    public static CommandLine commandLine() {
        return commandLine(AgentkernelHome::fromEnvironment, new String[0]);
    }

    /** The configured command line on {@code home}; tests call {@code execute} with their own out and err writers. */
    public static CommandLine commandLine(AgentkernelHome home) {
        return commandLine(() -> home, new String[0]);
    }

    /** As {@link #commandLine(AgentkernelHome)}, holding only the sub-command {@code args} name, as main's does. */
    public static CommandLine commandLine(AgentkernelHome home, String[] args) {
        return commandLine(() -> home, args);
    }

    /** The command line for {@code args}: only the sub-command they name, or all when they name none. */
    private static CommandLine commandLine(Supplier<AgentkernelHome> home, String[] args) {
        CommandLine cl = new CommandLine(new Main(home));
        Optional<Class<?>> named = subcommandNamedBy(args);
        for (Class<?> command : named.map(List::<Class<?>>of).orElse(SUBCOMMANDS)) {
            cl.addSubcommand(command);
        }
        cl.setExecutionExceptionHandler(ErrorReport::handle);
        cl.setParameterExceptionHandler(Main::handleParameterError);
        return cl;
    }

    /**
     * The sub-command {@code args} run, when they name one that needs no other: the first argument that is not
     * a root option, matched against each command's name and aliases.
     */
    static Optional<Class<?>> subcommandNamedBy(String[] args) {
        String first = Arrays.stream(args).filter(a -> !a.equals("--debug")).findFirst().orElse(null);
        if (first == null || first.startsWith("-") || WHOLE_TREE.contains(first)) {
            return Optional.empty();
        }
        for (Class<?> command : SUBCOMMANDS) {
            Command c = command.getAnnotation(Command.class);
            if (c.name().equals(first) || Arrays.asList(c.aliases()).contains(first)) {
                return Optional.of(command);
            }
        }
        return Optional.empty(); // unknown: the whole tree, so picocli reports it as an unmatched argument of the root
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
