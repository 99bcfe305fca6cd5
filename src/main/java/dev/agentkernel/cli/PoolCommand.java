package dev.agentkernel.cli;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.PoolDefinition;
import dev.agentkernel.sandbox.SandboxPool;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agentkernel pool set|ls|rm}: warm pools of started sandboxes that create and run take instead of starting one. */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"Warm pools: sandboxes of an image kept started and waiting, so that `create` and `run` of",
                "that image (same memory, CPUs, backend, kernel and accelerator; the default network, no -p) take",
                "one at once instead of restoring a snapshot. Each waiting sandbox holds its guest's memory on the",
                "host (about 195 MiB for a 512 MB busybox guest restored from a snapshot here) and about 2 % of a",
                "core; a background process starts a new one each time one is taken."},
        subcommands = {PoolCommand.Set.class, PoolCommand.ListPools.class, PoolCommand.Remove.class,
                PoolCommand.Fill.class})
final class PoolCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static SandboxPool pool(CommandSpec spec) {
        return new SandboxService(Main.home(spec), System.getenv()).pool();
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Keep N sandboxes of IMAGE started and waiting (0 removes the pool), starting them now.",
                    "Prints the pool's id and the host memory its sandboxes take."})
    static final class Set implements Callable<Integer> {
        @Parameters(paramLabel = "IMAGE", description = "Any source `create --image` takes.")
        String image;

        @Option(names = {"-n", "--size", "--pool"}, paramLabel = "N", defaultValue = "2",
                description = "How many sandboxes to keep waiting, 0 to " + PoolDefinition.MAX_SIZE
                        + " (default: ${DEFAULT-VALUE}).")
        int size;

        @Mixin
        VmOptions vm;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            vm.check();
            if (vm.noSnapshot) {
                throw new UserInputException("--no-snapshot does not apply to a pool: its sandboxes are started once"
                        + " and then wait, restored from the image's boot snapshot when it has one");
            }
            PrintWriter err = spec.commandLine().getErr();
            ProgressPrinter progress = new ProgressPrinter(err, ProgressPrinter.stderrIsTerminal());
            PoolDefinition definition = new PoolDefinition(image, vm.memoryMb, vm.cpus, vm.backend, vm.kernelPath(),
                    vm.accel, size, Instant.now().toString());
            SandboxPool.PoolInfo info = pool(spec).set(definition, progress);
            PrintWriter out = spec.commandLine().getOut();
            if (size == 0) {
                out.println("removed pool " + info.id());
            } else {
                out.printf("pool %s: %d of %d sandboxes of %s ready (%d MB guests), taking %s of host memory%n",
                        info.id(), info.ready(), info.definition().size(), image, vm.memoryMb,
                        HumanSize.format(info.pssBytes()));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List the pools: image, size, sandboxes ready and starting, host memory (PSS) they take.")
    static final class ListPools implements Callable<Integer> {
        @Option(names = "--json", description = "One JSON array.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<SandboxPool.PoolInfo> all = pool(spec).list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SandboxPool.PoolInfo p : all) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", p.id());
                    m.put("image", p.definition().image());
                    m.put("memory_mb", p.definition().memoryMb());
                    m.put("vcpus", p.definition().cpus());
                    m.put("size", p.definition().size());
                    m.put("ready", p.ready());
                    m.put("starting", p.starting());
                    m.put("host_memory_bytes", p.pssBytes());
                    rows.add(m);
                }
                SandboxView.printJson(rows, out);
            } else {
                out.printf("%-14s %-30s %-8s %-6s %-6s %-9s %s%n", "ID", "IMAGE", "MEMORY", "SIZE", "READY",
                        "STARTING", "HOST MEMORY");
                for (SandboxPool.PoolInfo p : all) {
                    out.printf("%-14s %-30s %-8s %-6d %-6d %-9d %s%n", p.id(), p.definition().image(),
                            p.definition().memoryMb() + "MB", p.definition().size(), p.ready(), p.starting(),
                            HumanSize.format(p.pssBytes()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Stop a pool's waiting sandboxes and remove it (sandboxes already taken from it stay).")
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "POOL", arity = "1..*", description = "Pool ids, or the image of exactly one pool.")
        List<String> pools;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SandboxPool pool = pool(spec);
            for (String name : pools) {
                String id = pool.resolve(name);
                pool.remove(id);
                spec.commandLine().getOut().println(id);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** What a claim starts in the background to top the pool up; usable by hand after a failed fill. */
    @Command(name = "fill", mixinStandardHelpOptions = true,
            description = "Start sandboxes until the pool has its size again (what taking one starts in the background).")
    static final class Fill implements Callable<Integer> {
        @Parameters(paramLabel = "POOL", description = "The pool's id, or the image of exactly one pool.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SandboxPool pool = pool(spec);
            PrintWriter err = spec.commandLine().getErr();
            pool.fill(pool.resolve(name), new ProgressPrinter(err, ProgressPrinter.stderrIsTerminal()));
            return 0;
        }
    }
}
