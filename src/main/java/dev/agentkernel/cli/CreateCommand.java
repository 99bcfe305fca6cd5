package dev.agentkernel.cli;

import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.DurationText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel create NAME --image SOURCE}: a persistent sandbox, started unless --no-start. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a persistent sandbox from an image and start it; prints its name.")
final class CreateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "1-63 letters, digits, '-' or '_'.")
    String name;

    @Option(names = "--image", required = true, paramLabel = "SOURCE",
            description = "Any source `run --image` takes: NAME, docker://REF, oci:DIR, oci-archive:FILE, ...")
    String image;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment of every command (repeatable).")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory of every command.")
    String workdir;

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "A label (repeatable).")
    List<String> labels = List.of();

    @Option(names = "--ttl", paramLabel = "DURATION",
            description = "Expire after this long (30m, 12h, 7d; 0: never, the default); `sandbox gc` removes expired ones.")
    String ttl;

    @Option(names = "--no-start", description = "Create it stopped.")
    boolean noStart;

    @picocli.CommandLine.Mixin
    VmOptions vm = new VmOptions();

    @picocli.CommandLine.Mixin
    NetworkCliOptions net = new NetworkCliOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SandboxName sandbox = SandboxName.of(name);
        Duration lifetime = ttl == null ? null : DurationText.parse(ttl, "--ttl");
        vm.check();
        dev.agentkernel.net.NetworkOptions network = net.options();
        PrintWriter err = spec.commandLine().getErr();
        ProgressPrinter progress = new ProgressPrinter(err, ProgressPrinter.stderrIsTerminal());
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        dev.agentkernel.sandbox.SandboxInfo created = service.create(new CreateRequest(sandbox, image, vm.memoryMb, vm.cpus, KeyValues.parse(env, "-e"), workdir,
                KeyValues.parse(labels, "-l"), lifetime, !noStart, vm.backend,
                vm.kernelPath(), vm.accel, null, null).withNetwork(network),
                progress, !vm.noSnapshot);
        created.record().network().publish().forEach(p -> err.println("published " + p));
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println(sandbox);
        out.flush();
        return 0;
    }
}
