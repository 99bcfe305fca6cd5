package dev.agentkernel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.store.AgentkernelHome;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code scripts/bench-sandbox}: not a test. Persistent sandboxes against Podman containers in the same run, on
 * one busybox image:
 * <ol>
 *   <li>create to first exec output: {@code agentkernel create} then {@code agentkernel exec -- echo ready}
 *       (the launcher, a fresh JVM each, the rootfs cached) against {@code podman create}, {@code podman start},
 *       {@code podman exec};</li>
 *   <li>exec latency p50/p99 over N execs: the {@code agentkernel exec} CLI, the in-JVM service call
 *       ({@link SandboxExec#run}, what an API server would do) and {@code podman exec}, interleaved;</li>
 *   <li>several sandboxes and containers running at once: the host memory each keeps (RSS and PSS of its
 *       processes from {@code /proc}: the QEMU monitor; conmon and the container's processes) and the disk
 *       each uses of its own ({@code inspect --json} disk_bytes; podman's SizeRw).</li>
 * </ol>
 * Everything it creates it removes in {@code finally}; the script's trap removes what a killed JVM left.
 */
public final class SandboxBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 300;

    private final Path home;
    private final String source;
    private final String tag;
    private final String label;
    private final String launcher;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> containers = new ArrayList<>();
    private String setup = "";
    private String loadAtStart = "";

    private SandboxBenchmark(Path home, String source, String tag, String label, String launcher) {
        this.home = home;
        this.source = source;
        this.tag = tag;
        this.label = label;
        this.launcher = launcher;
    }

    /** Arguments: HOME SOURCE PODMAN-TAG LABEL LAUNCHER [EXECS] [SANDBOXES] [ROUNDS]. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: SandboxBenchmark HOME SOURCE PODMAN-TAG LABEL LAUNCHER [EXECS] [SANDBOXES] [ROUNDS]");
            System.exit(2);
        }
        int execs = args.length > 5 ? Integer.parseInt(args[5]) : 100;
        int many = args.length > 6 ? Integer.parseInt(args[6]) : 10;
        int rounds = args.length > 7 ? Integer.parseInt(args[7]) : 5;
        SandboxBenchmark bench = new SandboxBenchmark(Path.of(args[0]).toAbsolutePath(), args[1], args[2], args[3],
                args[4]);
        try {
            bench.run(execs, many, rounds);
        } finally {
            bench.removeAll();
        }
    }

    private void run(int execs, int many, int rounds) throws Exception {
        loadAtStart = loadAverage();
        setup = ak("setup");
        ak("rootfs", source); // the conversion is cached; every create below is a cache hit

        List<Double> akFirst = new ArrayList<>();
        List<Double> akCreate = new ArrayList<>();
        List<Double> podFirst = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            String name = "first-" + i;
            long start = System.nanoTime();
            createSandbox(name);
            akCreate.add(ms(start));
            execCli(name);
            akFirst.add(ms(start));
            removeSandbox(name);

            start = System.nanoTime();
            String id = podman("create", "--network=none", "--label", label, tag, "sleep", "3600").trim();
            containers.add(id);
            podman("start", id);
            podmanExec(id);
            podFirst.add(ms(start));
            removeContainer(id);
        }

        createSandbox("latency");
        String cid = startContainer();
        SandboxExec service = new SandboxExec(new SandboxService(AgentkernelHome.at(home), System.getenv()));
        SandboxName latency = SandboxName.of("latency");
        for (int i = 0; i < 3; i++) { // warm-up of all three, untimed
            execCli("latency");
            execService(service, latency);
            podmanExec(cid);
        }
        List<Double> cli = new ArrayList<>();
        List<Double> inJvm = new ArrayList<>();
        List<Double> pod = new ArrayList<>();
        for (int i = 0; i < execs; i++) {
            long start = System.nanoTime();
            execCli("latency");
            cli.add(ms(start));
            start = System.nanoTime();
            execService(service, latency);
            inJvm.add(ms(start));
            start = System.nanoTime();
            podmanExec(cid);
            pod.add(ms(start));
        }
        removeSandbox("latency");
        removeContainer(cid);

        List<Usage> akUsage = new ArrayList<>();
        List<Usage> podUsage = new ArrayList<>();
        for (int i = 0; i < many; i++) {
            createSandbox("many-" + i);
            startContainer();
        }
        for (int i = 0; i < many; i++) { // each one answers before anything is measured
            execCli("many-" + i);
            podmanExec(containers.get(i));
        }
        Thread.sleep(3000);
        for (int i = 0; i < many; i++) {
            akUsage.add(sandboxUsage("many-" + i));
            podUsage.add(containerUsage(containers.get(i)));
        }

        print(execs, many, rounds, akFirst, akCreate, podFirst, cli, inJvm, pod, akUsage, podUsage);
    }

    // --- what is measured

    /** Memory (kB) of a set of processes and the disk (bytes) of its own. */
    private record Usage(long rssKb, long pssKb, long diskBytes, long rootBytes, int processes) {
    }

    private Usage sandboxUsage(String name) throws IOException, InterruptedException {
        JsonNode info = JSON.readTree(ak("inspect", "--json", name));
        if (!"running".equals(info.path("status").asText())) {
            throw new IllegalStateException("sandbox " + name + " is " + info.path("status").asText());
        }
        long[] memory = memoryOfTree(info.path("pid").asLong());
        return new Usage(memory[0], memory[1], info.path("disk_bytes").asLong(), 0, (int) memory[2]);
    }

    private Usage containerUsage(String id) throws IOException, InterruptedException {
        String[] f = podman("container", "inspect", "--size", "--format", "{{.State.ConmonPid}} {{.SizeRw}} {{.SizeRootFs}}", id)
                .trim().split(" ");
        long[] memory = memoryOfTree(Long.parseLong(f[0]));
        return new Usage(memory[0], memory[1], Long.parseLong(f[1]), Long.parseLong(f[2]), (int) memory[2]);
    }

    /** RSS and PSS (kB, summed from {@code /proc/PID/smaps_rollup}) of {@code pid} and its descendants, and how many. */
    private static long[] memoryOfTree(long pid) throws IOException {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        Set<Long> pids = new LinkedHashSet<>();
        pids.add(root.pid());
        root.descendants().forEach(p -> pids.add(p.pid()));
        long rss = 0;
        long pss = 0;
        for (long p : pids) {
            for (String line : Files.readAllLines(Path.of("/proc/" + p + "/smaps_rollup"))) {
                if (line.startsWith("Rss:")) {
                    rss += kb(line);
                } else if (line.startsWith("Pss:")) {
                    pss += kb(line);
                }
            }
        }
        return new long[] {rss, pss, pids.size()};
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    // --- the two sides

    private void createSandbox(String name) throws IOException, InterruptedException {
        sandboxes.add(name);
        ak("create", name, "--image", source);
    }

    private void removeSandbox(String name) throws IOException, InterruptedException {
        ak("rm", "-f", name);
        sandboxes.remove(name);
    }

    private void execCli(String name) throws IOException, InterruptedException {
        expectReady(ak("exec", name, "--", "echo", "ready"), name);
    }

    private static void execService(SandboxExec exec, SandboxName name) {
        RunResult r = exec.run(name, ExecRequest.of(List.of("echo", "ready")));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("exec in " + name + " exited " + r.exitCode() + ": " + r.stderr());
        }
        expectReady(r.stdout(), name.value());
    }

    private String startContainer() throws IOException, InterruptedException {
        String id = podman("run", "-d", "--network=none", "--label", label, tag, "sleep", "3600").trim();
        containers.add(id);
        return id;
    }

    private void podmanExec(String id) throws IOException, InterruptedException {
        expectReady(podman("exec", id, "echo", "ready"), id);
    }

    private void removeContainer(String id) throws IOException, InterruptedException {
        podman("rm", "-f", "-t", "0", id);
        containers.remove(id);
    }

    private static void expectReady(String out, String where) {
        if (!out.equals("ready\n")) {
            throw new IllegalStateException(where + " printed '" + out + "' instead of 'ready'");
        }
    }

    /** Removes every sandbox and container still there, reporting what could not be removed. */
    private void removeAll() {
        for (String name : List.copyOf(sandboxes)) {
            try {
                removeSandbox(name);
            } catch (Exception e) {
                System.err.println("could not remove sandbox " + name + ": " + e.getMessage());
            }
        }
        for (String id : List.copyOf(containers)) {
            try {
                removeContainer(id);
            } catch (Exception e) {
                System.err.println("could not remove container " + id + ": " + e.getMessage());
            }
        }
    }

    private String ak(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher));
        command.addAll(List.of(args));
        return exec(command, Map.of("AGENTKERNEL_HOME", home.toString()));
    }

    private static String podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return exec(command, Map.of());
    }

    /** Runs a command to its end; its stdout, or an exception with its stderr if it failed. */
    private static String exec(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + err.join());
            }
            return out.join();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    // --- the report

    private void print(int execs, int many, int rounds, List<Double> akFirst, List<Double> akCreate,
                       List<Double> podFirst, List<Double> cli, List<Double> inJvm, List<Double> pod,
                       List<Usage> akUsage, List<Usage> podUsage) throws IOException, InterruptedException {
        System.out.printf("machine: %s, %d cores, %d GiB; %s, accelerator %s, guest kernel %s; podman %s (%s)%n",
                cpuModel(), Runtime.getRuntime().availableProcessors(), memTotalKb() >> 20,
                firstLine("qemu-system-x86_64", "--version"), setupField("accelerator"), setupField("kernel"),
                podman("version", "--format", "{{.Client.Version}}").trim(),
                podman("info", "--format", "{{.Host.OCIRuntime.Name}}, {{.Store.GraphDriverName}} storage").trim());
        System.out.printf("load average (1, 5, 15 min) at the start: %s, at the end: %s%n", loadAtStart, loadAverage());
        System.out.printf("%-50s %12s %12s %8s%n", "", "agentkernel", "podman", "ratio");
        row(String.format("create -> first exec output, median of %d (ms)", rounds), median(akFirst), median(podFirst));
        System.out.printf("%-50s %12.0f%n", "  of which agentkernel create (ms)", median(akCreate));
        row(String.format("exec latency p50, CLI, n=%d (ms)", execs), percentile(cli, 50), percentile(pod, 50));
        row(String.format("exec latency p99, CLI, n=%d (ms)", execs), percentile(cli, 99), percentile(pod, 99));
        row(String.format("exec latency p50, in-JVM service, n=%d (ms)", execs), percentile(inJvm, 50), percentile(pod, 50));
        row(String.format("exec latency p99, in-JVM service, n=%d (ms)", execs), percentile(inJvm, 99), percentile(pod, 99));
        row(String.format("%d running at once: PSS each, median (MiB)", many),
                median(akUsage.stream().map(u -> u.pssKb() / 1024.0).toList()),
                median(podUsage.stream().map(u -> u.pssKb() / 1024.0).toList()));
        row(String.format("%d running at once: RSS each, median (MiB)", many),
                median(akUsage.stream().map(u -> u.rssKb() / 1024.0).toList()),
                median(podUsage.stream().map(u -> u.rssKb() / 1024.0).toList()));
        row(String.format("%d running at once: own disk each, median (bytes)", many),
                median(akUsage.stream().map(u -> (double) u.diskBytes()).toList()),
                median(podUsage.stream().map(u -> (double) u.diskBytes()).toList()));
        System.out.printf("podman's own disk is SizeRw (the container's writes); its root file system (SizeRootFs,"
                + " which vfs storage copies per container) is %.1f MiB%n",
                median(podUsage.stream().map(u -> u.rootBytes() / 1048576.0).toList()));
        System.out.printf("processes kept per sandbox: agentkernel %s, podman %s; memory %d MB, 1 vCPU per sandbox%n",
                akUsage.stream().map(Usage::processes).distinct().toList(),
                podUsage.stream().map(Usage::processes).distinct().toList(),
                dev.agentkernel.vm.SandboxOptions.DEFAULT_MEMORY_MB);
        System.out.printf("all %d at once: agentkernel PSS %.0f MiB, disk %.1f MiB; podman PSS %.0f MiB, disk %.1f MiB%n",
                many, akUsage.stream().mapToLong(Usage::pssKb).sum() / 1024.0,
                akUsage.stream().mapToLong(Usage::diskBytes).sum() / 1048576.0,
                podUsage.stream().mapToLong(Usage::pssKb).sum() / 1024.0,
                podUsage.stream().mapToLong(Usage::diskBytes).sum() / 1048576.0);
    }

    private static void row(String name, double ak, double podman) {
        String ratio = podman > 0 ? String.format(Locale.ROOT, "%7.2fx", ak / podman) : "      -";
        System.out.printf(Locale.ROOT, "%-50s %12.1f %12.1f %s%n", name, ak, podman, ratio);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The nearest-rank percentile. */
    static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** A field of {@code agentkernel setup}'s output ("accelerator  tcg"). */
    private String setupField(String name) {
        return setup.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length()).trim())
                .findFirst().orElse("?");
    }

    private static String firstLine(String... command) throws IOException, InterruptedException {
        return exec(List.of(command), Map.of()).lines().findFirst().orElse("?");
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static long memTotalKb() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).map(SandboxBenchmark::kb).findFirst().orElse(0L);
        }
    }

    private static String cpuModel() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        }
    }
}
