package dev.agentkernel.cli;

import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.vm.Accelerator;
import dev.agentkernel.vm.Backend;
import dev.agentkernel.vm.SandboxRun;
import dev.agentkernel.vm.SandboxOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel run}: runs one command in a fresh microVM sandbox and exits with its exit code. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a command in a fresh microVM made from an image; exits with the command's exit code.")
public final class RunCommand implements Callable<Integer> {
    /** The exit code when the command ran out of time, as timeout(1) uses. */
    static final int TIMED_OUT = 124;

    @Option(names = "--image", paramLabel = "SOURCE",
            description = "The image to run (converted and cached as `agentkernel rootfs SOURCE` does):"
                    + " NAME, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE, docker-daemon:REF, docker://REF.")
    String image;

    @Option(names = "--rootfs", paramLabel = "FILE",
            description = "A root file system made by `agentkernel rootfs`, instead of --image (it is copied, never modified).")
    Path rootfs;

    @Option(names = "--backend", paramLabel = "qemu|firecracker", description = "Monitor (default: the first installed).")
    String backend;

    @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel image (default: as `agentkernel setup` finds).")
    Path kernel;

    @Option(names = "--accel", paramLabel = "kvm|tcg", description = "QEMU accelerator (default: KVM when it works).")
    String accel;

    @Option(names = "--memory", paramLabel = "MB", defaultValue = "" + SandboxOptions.DEFAULT_MEMORY_MB,
            description = "Guest memory in MB (default: ${DEFAULT-VALUE}).")
    int memoryMb;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "" + SandboxOptions.DEFAULT_CPUS,
            description = "Guest CPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the command after this long (exit code 124).")
    Long timeoutSeconds;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable for the command (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the guest.")
    String workdir;

    @Option(names = "--keep", description = "Keep the sandbox's files (disk, console log) afterwards.")
    boolean keep;

    @Option(names = "--timings", description = "Print the time of each step on stderr.")
    boolean timings;

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments (after --).")
    List<String> command;

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
        AgentkernelHome home = Main.home(spec);
        SandboxOptions options = new SandboxOptions(rootfs == null ? null : rootfs.toAbsolutePath(),
                backend == null ? null : Backend.parse(backend), kernel, accel == null ? null : Accelerator.parse(accel),
                memoryMb, cpus, SandboxOptions.DEFAULT_BOOT_TIMEOUT, keep);
        AgentRequest.Run request = new AgentRequest.Run(command, workdir, parseEnv(env),
                timeoutSeconds == null ? 0 : Duration.ofSeconds(timeoutSeconds).toMillis());
        SandboxRun.Outcome outcome = SandboxRun.run(home, image == null ? null : SourceSpec.parse(image), options,
                request, System.getenv());
        RunResult r = outcome.result();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        printExactly(r.stdoutBytes(), out, System.out);
        printExactly(r.stderrBytes(), err, System.err);
        if (r.stdoutTruncated() || r.stderrTruncated()) {
            err.println("agentkernel: the command's output was cut at the agent's limit");
        }
        if (timings) {
            err.printf("agentkernel: convert %d ms, copy disk %d ms, boot %d ms, command %d ms, shutdown %d ms%n",
                    outcome.convert().toMillis(), outcome.copyDisk().toMillis(), outcome.boot().toMillis(),
                    outcome.command().toMillis(),
                    outcome.shutdown().toMillis());
        }
        if (outcome.keptDirectory() != null) {
            err.println("agentkernel: kept the sandbox's disk and console log in " + outcome.keptDirectory());
        }
        if (r.timedOut()) {
            err.println("agentkernel: the command timed out after " + timeoutSeconds + " s and was killed");
            err.flush();
            return TIMED_OUT;
        }
        if (r.error() != null) {
            err.println("agentkernel: " + r.error());
        }
        err.flush();
        return r.exitCode();
    }

    static Map<String, String> parseEnv(List<String> pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserInputException("-e expects NAME=VALUE, not '" + pair + "'");
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return env;
    }

    /**
     * The command's output as it wrote it: text through picocli's writer, other bytes (binary data, Latin-1)
     * straight to the process's stream, which a writer would re-encode.
     */
    static void printExactly(byte[] bytes, PrintWriter writer, PrintStream raw) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
            writer.print(text);
            writer.flush();
        } else {
            writer.flush();
            raw.write(bytes, 0, bytes.length);
            raw.flush();
        }
    }
}
