package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.store.AgentkernelHome;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench-run}: not a test. Measures, on a Podman-built busybox image,
 * <ol>
 *   <li>the time from starting {@code ./agentkernel run --image ... -- echo ready} (the launcher: a fresh JVM with its class-data archive, cached rootfs) to
 *       the command's output, against {@code podman run --rm IMAGE echo ready} (a container, the usual
 *       alternative) in the same run;</li>
 *   <li>the same {@code run} taking a sandbox from a warm pool of two ({@code pool set}), each run once the pool
 *       is full again, and what a waiting pooled sandbox costs (PSS, idle CPU);</li>
 *   <li>the latency of a further {@code run} request in a booted VM, against {@code podman exec} in a running
 *       container.</li>
 * </ol>
 * Prints medians and ratios, with the machine and monitor.
 */
public final class RunBenchmark {
    private RunBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        // the launcher, as users run it: its JVM options and class-data archive are part of the start-up
        Path launcher = Path.of("agentkernel").toAbsolutePath();
        Path work = Files.createTempDirectory("ak-bench");
        Path home = work.resolve("home");
        BenchImage image = BenchImage.build(work, "agentkernel-bench");
        String tag = image.tag();
        try {
            String source = image.source();
            List<String> cli = List.of(launcher.toString());

            // warm-up: setup (kernel check, initramfs, KVM probe) and the conversion into the cache
            exec(concat(cli, List.of("setup")), home);
            exec(concat(cli, List.of("rootfs", source)), home);

            // the first run boots and saves the image's boot snapshot; the later ones restore it
            timeToOutput(concat(cli, List.of("run", "--image", source, "--", "echo", "ready")), home);
            List<Double> cold = new ArrayList<>();
            List<Double> vm = new ArrayList<>();
            List<Double> container = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                cold.add(timeToOutput(concat(cli, List.of("run", "--no-snapshot", "--image", source, "--", "echo",
                        "ready")), home));
                vm.add(timeToOutput(concat(cli, List.of("run", "--image", source, "--", "echo", "ready")), home));
                container.add(timeToOutput(List.of("podman", "run", "--rm", "--network=none", tag, "echo", "ready"), home));
            }
            PoolFigures pool = PoolFigures.measure(cli, home, source, runs);
            SandboxFigures sandboxes = SandboxFigures.measure(home, source, runs);

            AgentkernelHome akHome = AgentkernelHome.at(home);
            Path rootfs = new dev.agentkernel.rootfs.RootfsConverter(akHome)
                    .convert(dev.agentkernel.image.source.SourceSpec.parse(source),
                            dev.agentkernel.rootfs.RootfsOptions.defaults()).path();
            List<Double> agentLatency = new ArrayList<>();
            PreparedKernel kernel;
            try (Sandbox sandbox = Sandbox.start(akHome, new SandboxOptions(rootfs, Backend.QEMU, null, null,
                    SandboxOptions.DEFAULT_MEMORY_MB, 1, SandboxOptions.DEFAULT_BOOT_TIMEOUT, false), System.getenv())) {
                AgentClient agent = sandbox.agent();
                for (int i = 0; i < requests; i++) {
                    long t = System.nanoTime();
                    RunResult r = agent.run(new AgentRequest.Run(List.of("echo", "ready")));
                    agentLatency.add((System.nanoTime() - t) / 1e6);
                    if (!r.stdout().equals("ready\n")) {
                        throw new IllegalStateException("unexpected output " + r.stdout());
                    }
                }
            }
            kernel = new KernelSetup(akHome, KernelLocator.system(), Backend.QEMU.require(System.getenv())).prepare(null, null);

            String cid = execOut(List.of("podman", "run", "-d", "--network=none", tag, "sleep", "600")).trim();
            List<Double> execLatency = new ArrayList<>();
            try {
                for (int i = 0; i < requests; i++) {
                    execLatency.add(timeToOutput(List.of("podman", "exec", cid, "echo", "ready"), home));
                }
            } finally {
                execOut(List.of("podman", "rm", "-f", "-t", "0", cid));
            }

            System.out.printf("machine: %s, %d cores; monitor: QEMU microvm (%s), kernel %s%n", cpuModel(),
                    Runtime.getRuntime().availableProcessors(), kernel.accelerator().qemuName(), kernel.kernel());
            System.out.printf("%-44s %10s %10s %10s%n", "", "median", "p90", "min");
            row("agentkernel run --no-snapshot (boot) (ms)", cold);
            row("agentkernel run (snapshot restore) (ms)", vm);
            row("podman run --rm -> output (ms)", container);
            row("agentkernel run, taken from a warm pool (ms)", pool.runs());
            row("create -> first exec output, in-JVM (ms)", sandboxes.createToExec());
            row("fork of a running sandbox, in-JVM (ms)", sandboxes.fork());
            row("pause, in-JVM (ms)", sandboxes.pause());
            row("resume, in-JVM (ms)", sandboxes.resume());
            System.out.printf("%d sandboxes restored from one snapshot: monitors' PSS %.0f MiB in all (%.0f MiB each),"
                    + " RSS %.0f MiB in all%n", sandboxes.count(), sandboxes.pssMib(), sandboxes.pssMib() / sandboxes.count(),
                    sandboxes.rssMib());
            System.out.printf("ratio restore/boot: %.2f; restore/podman run: %.2f; pool/boot: %.2f; pool/restore: %.2f%n",
                    median(vm) / median(cold), median(vm) / median(container), median(pool.runs()) / median(cold),
                    median(pool.runs()) / median(vm));
            System.out.printf("a waiting pooled sandbox holds %.0f MiB of host memory (PSS), %.1f%% of a core idle%n",
                    pool.pssMibEach(), pool.idleCpuPercentEach());
            row("agent run request in a booted VM (ms)", agentLatency);
            row("podman exec in a running container (ms)", execLatency);
            System.out.printf("ratio run/podman run: %.2f; agent request/podman exec: %.2f%n",
                    median(vm) / median(container), median(agentLatency) / median(execLatency));
        } finally {
            image.close();
            Sandbox.deleteTree(work);
        }
    }

    private static void row(String name, List<Double> values) {
        System.out.printf("%-44s %10.1f %10.1f %10.1f   (n=%d)%n", name, median(values), p90(values),
                Collections.min(values), values.size());
    }

    static double p90(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(0.9 * sorted.size()) - 1);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Milliseconds from starting {@code command} to its first line of output "ready"; waits for it to end. */
    static double timeToOutput(List<String> command, Path home) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            double ms = (System.nanoTime() - start) / 1e6;
            if (!"ready".equals(line)) {
                throw new IllegalStateException(command + " printed " + line);
            }
            out.transferTo(java.io.Writer.nullWriter());
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed");
            }
            return ms;
        } finally {
            p.destroyForcibly();
        }
    }

    static void exec(List<String> command, Path home) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " failed");
        }
    }

    static String execOut(List<String> command) throws IOException, InterruptedException {
        return execOut(command, null);
    }

    /** The command's output; {@code home} (when not null) is its AGENTKERNEL_HOME. */
    static String execOut(List<String> command, Path home) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (home != null) {
            pb.environment().put("AGENTKERNEL_HOME", home.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " timed out");
        }
        return out;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown CPU";
    }

}
