package dev.agentkernel.cli;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.process.ProcessIdentity;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agentkernel run}: the one-shot form of a sandbox — create, exec, remove — exiting with the command's
 * exit code. {@code --keep} leaves the sandbox as a persistent one. Ctrl-C, SIGTERM and errors remove it; a
 * SIGKILLed run's sandbox is removed by the next command that lists sandboxes (its owner is gone).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a command in a fresh microVM made from an image; exits with the command's exit code."
                + " Without a command, runs the image's Entrypoint and Cmd.")
public final class RunCommand implements Callable<Integer> {
    /** The exit code when the command ran out of time, as timeout(1) uses. */
    static final int TIMED_OUT = 124;

    @Option(names = "--image", paramLabel = "SOURCE",
            description = "The image to run (converted and cached as `agentkernel rootfs SOURCE` does):"
                    + " NAME, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE, docker-daemon:REF, docker://REF.")
    String image;

    @Option(names = "--rootfs", paramLabel = "FILE",
            description = "A root file system made by `agentkernel rootfs`, instead of --image (read, never modified).")
    Path rootfs;

    @Option(names = "--name", paramLabel = "NAME", description = "The sandbox's name (default: run-<random>).")
    String name;

    @Option(names = "--keep", description = "Keep the sandbox afterwards as a persistent one (running; no expiry).")
    boolean keep;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the command after this long (exit code 124).")
    Long timeoutSeconds;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable for the command (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the guest.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user (default: the image's).")
    String user;

    @Option(names = {"-i", "--interactive"}, description = "Forward stdin to the command until EOF.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the command a pseudo-terminal (with -i: this terminal, in raw mode).")
    boolean tty;

    @Option(names = "--timings", description = "Print the time of each step on stderr.")
    boolean timings;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments (after --).")
    List<String> command = List.of();

    @picocli.CommandLine.Mixin
    VmOptions vm = new VmOptions();

    @picocli.CommandLine.Mixin
    NetworkCliOptions net = new NetworkCliOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (timeoutSeconds != null && timeoutSeconds <= 0) {
            throw new UserInputException("--timeout must be a positive number of seconds");
        }
        if ((image == null) == (rootfs == null)) {
            throw new UserInputException("give either --image SOURCE or --rootfs FILE");
        }
        vm.check();
        dev.agentkernel.net.NetworkOptions network = net.options();
        SandboxName sandbox = SandboxName.of(name != null ? name
                : "run-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6)));
        AgentkernelHome home = Main.home(spec);
        SandboxService service = new SandboxService(home, System.getenv());
        PrintWriter err = spec.commandLine().getErr();
        ProcessIdentity self = ProcessIdentity.current();
        Thread cleanup = new Thread(() -> service.abandon(sandbox, self), "run-cleanup");
        if (!keep) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
        boolean created = false;
        try {
            Instant t0 = Instant.now();
            dev.agentkernel.sandbox.SandboxInfo made = service.create(new CreateRequest(sandbox, image, vm.memoryMb,
                    vm.cpus, Map.of(), null, Map.of(), null, true, vm.backend, vm.kernelPath(), vm.accel,
                    keep ? null : self, rootfs == null ? null : rootfs.toAbsolutePath()).withNetwork(network),
                    new dev.agentkernel.rootfs.ConversionListener() {
                        @Override
                        public void warning(String message) {
                            err.println("agentkernel: " + message);
                            err.flush();
                        }
                    }, !vm.noSnapshot);
            created = true;
            made.record().network().publish().forEach(p -> err.println("agentkernel: published " + p));
            err.flush();
            Instant t1 = Instant.now();
            int exitCode = AttachedExec.run(new SandboxProcesses(service), sandbox, new ExecRequest(command,
                    parseEnv(env), workdir, user, tty, interactive, false,
                    timeoutSeconds == null ? 0 : Duration.ofSeconds(timeoutSeconds).toMillis()), spec);
            Instant t2 = Instant.now();
            if (!keep) {
                service.remove(sandbox, true);
            } else {
                err.println("agentkernel: kept sandbox " + sandbox + " (running); remove it with: agentkernel rm -f "
                        + sandbox);
            }
            if (timings) {
                err.printf("agentkernel: create and %s %d ms, command %d ms, remove %d ms%n", startedHow(made),
                        Duration.between(t0, t1).toMillis(), Duration.between(t1, t2).toMillis(),
                        Duration.between(t2, Instant.now()).toMillis());
            }
            return exitCode;
        } finally {
            err.flush();
            if (!keep) {
                if (created && service.store().exists(sandbox)) {
                    try {
                        service.remove(sandbox, true);
                    } catch (RuntimeException e) {
                        service.abandon(sandbox, self);
                    }
                }
                CommandRunner.removeShutdownHook(cleanup);
            }
        }
    }

    /** How the timings name the start: a boot, a restore of which snapshot, or a sandbox taken from a pool. */
    private static String startedHow(dev.agentkernel.sandbox.SandboxInfo made) {
        String from = made.startedFrom();
        if (from != null && from.startsWith("snapshot")) {
            return "restore (" + from + ")";
        }
        return from != null && from.startsWith("pool") ? "take from the " + from : "boot";
    }

    static Map<String, String> parseEnv(List<String> pairs) {
        return new LinkedHashMap<>(KeyValues.parse(pairs, "-e"));
    }
}
