package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentChannel;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentPortLayout;
import dev.agentkernel.agent.VirtioSerialTransport;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.AgentkernelHome;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * {@code scripts/bench-boot}: not a test. Boots one Podman-built busybox image N times per variant of the QEMU
 * machine options and kernel command line (a cold boot each, in this JVM, through {@link QemuMonitor}'s own
 * command line edited per variant) and reports the time from starting QEMU to the agent's first answer, median
 * and p90; for the variants that shape the saved state, it also saves the booted VM (QMP stop + migrate, as a
 * boot snapshot is saved) and restores it, reporting the state's size, the restore's time to the agent's
 * answer and the time of a short workload in the restored VM ({@link #WORKLOAD}: what a guest-side cost shows in). Rounds interleave the variants, so load on the shared machine spreads over all of them.
 *
 * <p>The baseline is the command line as it was before the warm-boot options ({@link #ADOPTED_MACHINE} and
 * {@link #ADOPTED_KERNEL} taken out of what {@link QemuMonitor} builds now); each variant is that baseline with
 * one option; "chosen" is the command line {@link QemuMonitor} builds now.
 */
public final class BootBenchmark {
    /** Machine properties this project adopted from this benchmark (taken out again for the baseline). */
    static final List<String> ADOPTED_MACHINE = List.of();
    /** Kernel arguments this project adopted from this benchmark (taken out again for the baseline). */
    static final List<String> ADOPTED_KERNEL = List.of();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    /**
     * Run in the restored VM and timed: 200 short processes (each exit frees its pages) and 64 MiB through a pipe,
     * what a guest-side cost such as {@code init_on_free=1}'s zeroing of every freed page shows in.
     */
    private static final List<String> WORKLOAD = List.of("sh", "-c",
            "for i in $(seq 200); do true | cat >/dev/null; done; head -c 67108864 /dev/zero | cat >/dev/null");

    private BootBenchmark() {
    }

    /** One way of starting the machine: an edit of the baseline command line. */
    record Variant(String name, UnaryOperator<List<String>> edit, boolean snapshot, int ports) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        java.util.Set<String> only = args.length > 1 ? java.util.Set.of(args[1].split(",")) : java.util.Set.of();
        Path work = Files.createTempDirectory("ak-bench-boot");
        Path home = work.resolve("home");
        BenchImage image = BenchImage.build(work, "agentkernel-bench-boot");
        try {
            Path archive = image.archive();
            AgentkernelHome akHome = AgentkernelHome.at(home);
            Path rootfs = new dev.agentkernel.rootfs.RootfsConverter(akHome)
                    .convert(dev.agentkernel.image.source.SourceSpec.parse("docker-archive:" + archive),
                            dev.agentkernel.rootfs.RootfsOptions.defaults()).path();
            Path qemu = Backend.QEMU.require(System.getenv());
            PreparedKernel kernel = new KernelSetup(akHome, KernelLocator.system(), qemu).prepare(null, null);
            Path smallInitramfs = kernel.initramfs() == null ? null : withoutVsock(kernel, work.resolve("small.cpio"));

            List<Variant> variants = new ArrayList<>();
            variants.add(new Variant("baseline", UnaryOperator.identity(), true, AgentPortLayout.PORTS));
            variants.add(new Variant("no quiet (loglevel 7)", a -> kernelArgs(a, List.of("quiet", "loglevel=3"),
                    List.of("loglevel=7")), false, AgentPortLayout.PORTS));
            for (String arg : List.of("i8042.noaux", "i8042.nokbd", "init_on_free=1")) {
                variants.add(new Variant(arg, a -> kernelArgs(a, List.of(), List.of(arg)), arg.startsWith("init_on"),
                        AgentPortLayout.PORTS));
            }
            variants.add(new Variant("i8042.noaux i8042.nokbd", a -> kernelArgs(a, List.of(),
                    List.of("i8042.noaux", "i8042.nokbd")), false, AgentPortLayout.PORTS));
            for (String prop : List.of("pit=off", "pic=off", "rtc=off", "x-option-roms=off")) {
                variants.add(new Variant(prop, a -> machine(a, List.of(prop)), false, AgentPortLayout.PORTS));
            }
            variants.add(new Variant("isa-serial=off (no console)", a -> kernelArgs(machine(a, List.of("isa-serial=off")),
                    List.of("console=ttyS0"), List.of()), false, AgentPortLayout.PORTS));
            if (smallInitramfs != null) {
                variants.add(new Variant("initramfs without vsock modules", a -> initramfs(a, smallInitramfs), false,
                        AgentPortLayout.PORTS));
            }
            if (smallInitramfs != null) {
                variants.add(new Variant("pic=off + initramfs without vsock", a -> initramfs(machine(a, List.of("pic=off")),
                        smallInitramfs), false, AgentPortLayout.PORTS));
            }
            variants.add(new Variant("2 agent ports (state size)", UnaryOperator.identity(), true, 2));
            variants.add(new Variant("qemu64 without arat (periodic tick)", BootBenchmark::withoutArat, true,
                    AgentPortLayout.PORTS));
            variants.add(new Variant("chosen (QemuMonitor now)", null, true, AgentPortLayout.PORTS));
            if (!only.isEmpty()) {
                variants.removeIf(v -> !only.contains(v.name()) && !v.name().equals("baseline"));
            }

            Map<String, List<Double>> boots = new LinkedHashMap<>();
            Map<String, List<Double>> restores = new LinkedHashMap<>();
            Map<String, List<Double>> stateMib = new LinkedHashMap<>();
            Map<String, List<Double>> workloads = new LinkedHashMap<>();
            Map<String, Long> consoleBytes = new LinkedHashMap<>();
            for (Variant v : variants) {
                boots.put(v.name(), new ArrayList<>());
                restores.put(v.name(), new ArrayList<>());
                stateMib.put(v.name(), new ArrayList<>());
                workloads.put(v.name(), new ArrayList<>());
            }
            Monitor monitor = new QemuMonitor(qemu);
            for (int round = 0; round < runs; round++) {
                for (Variant v : variants) {
                    Path dir = Files.createDirectories(work.resolve("vm-" + round + "-" + boots.get(v.name()).size()
                            + "-" + variants.indexOf(v)));
                    try {
                        VmSpec spec = new VmSpec(kernel, dir.resolve("disk.ext4"), VmSpec.DiskFormat.RAW,
                                SandboxOptions.DEFAULT_MEMORY_MB, 1, dir, v.ports());
                        DiskCopy.copy(rootfs, spec.disk());
                        List<String> now = monitor.command(spec);
                        List<String> argv = v.edit() == null ? now : v.edit().apply(baseline(now));
                        Measured m = bootAndMaybeRestore(argv, dir, v.snapshot(), v.ports());
                        boots.get(v.name()).add(m.bootMs());
                        if (m.restoreMs() >= 0) {
                            restores.get(v.name()).add(m.restoreMs());
                            stateMib.get(v.name()).add(m.stateBytes() / (1024.0 * 1024.0));
                            workloads.get(v.name()).add(m.workloadMs());
                        }
                        consoleBytes.put(v.name(), m.consoleBytes());
                        System.err.printf("round %d %-32s boot %6.0f ms%s%n", round, v.name(), m.bootMs(),
                                m.restoreMs() < 0 ? "" : String.format(", state %.1f MiB, restore %.0f ms, workload %.0f ms",
                                        m.stateBytes() / 1048576.0, m.restoreMs(), m.workloadMs()));
                    } finally {
                        Sandbox.deleteTree(dir);
                    }
                }
            }

            System.out.printf("machine: %s, %d cores, load %s; QEMU microvm (%s), %d MB, 1 vCPU, kernel %s%n",
                    cpuModel(), Runtime.getRuntime().availableProcessors(), loadAverage(),
                    kernel.accelerator().qemuName(), SandboxOptions.DEFAULT_MEMORY_MB, kernel.kernel());
            System.out.printf("chosen command line: %s%n", String.join(" ", new QemuMonitor(qemu).command(
                    new VmSpec(kernel, work.resolve("disk.ext4"), VmSpec.DiskFormat.RAW, SandboxOptions.DEFAULT_MEMORY_MB,
                            1, work.resolve("vm"), 1))));
            System.out.printf("%-34s %9s %9s %9s %7s %11s %11s %11s %9s%n", "boot to agent answer (ms)", "median", "p90",
                    "min", "vs base", "state MiB", "restore ms", "workload ms", "console");
            double base = RunBenchmark.median(boots.get("baseline"));
            for (Variant v : variants) {
                List<Double> b = boots.get(v.name());
                String state = stateMib.get(v.name()).isEmpty() ? "" : String.format("%.1f",
                        RunBenchmark.median(stateMib.get(v.name())));
                String restore = restores.get(v.name()).isEmpty() ? "" : String.format("%.0f/%.0f",
                        RunBenchmark.median(restores.get(v.name())), RunBenchmark.p90(restores.get(v.name())));
                String workload = workloads.get(v.name()).isEmpty() ? "" : String.format("%.0f/%.0f",
                        RunBenchmark.median(workloads.get(v.name())), RunBenchmark.p90(workloads.get(v.name())));
                System.out.printf("%-34s %9.0f %9.0f %9.0f %+6.1f%% %11s %11s %11s %9d   (n=%d)%n", v.name(),
                        RunBenchmark.median(b), RunBenchmark.p90(b), java.util.Collections.min(b),
                        100 * (RunBenchmark.median(b) - base) / base, state, restore, workload,
                        consoleBytes.get(v.name()), b.size());
            }
            System.out.println("restore ms: median/p90 from QEMU's start with -incoming to the agent's answer;"
                    + " workload ms: median/p90 of " + String.join(" ", WORKLOAD.subList(2, 3)) + " in the restored VM;"
                    + " console: bytes of the guest console log in the last boot");
        } finally {
            image.close();
            Sandbox.deleteTree(work);
        }
    }

    record Measured(double bootMs, double restoreMs, long stateBytes, long consoleBytes, double workloadMs) {
    }

    /**
     * Boots {@code argv}, times it to the agent's answer; with {@code snapshot}, stops the VM, saves its state,
     * ends it and restores a new QEMU from the state on the same disk, timed to the agent's answer on a port no
     * host had used.
     */
    private static Measured bootAndMaybeRestore(List<String> argv, Path dir, boolean snapshot, int ports) throws IOException {
        int bootPort = ports - 1;
        int restorePort = Math.max(0, ports - 2);
        long t0 = System.nanoTime();
        VmProcess vm = VmProcess.start(argv, dir.resolve("monitor.log"), dir.resolve("console.log"));
        double bootMs;
        long stateBytes = -1;
        Path state = dir.resolve("state.bin");
        try {
            answer(vm, AgentPortLayout.socket(dir, bootPort), t0).close();
            bootMs = (System.nanoTime() - t0) / 1e6;
            if (snapshot) {
                try (QemuControl control = QemuControl.open(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
                    control.stop();
                    stateBytes = control.saveState(state);
                }
            }
        } finally {
            vm.kill();
        }
        long console = Files.size(dir.resolve("console.log"));
        if (!snapshot) {
            return new Measured(bootMs, -1, -1, console, -1);
        }
        Files.deleteIfExists(dir.resolve("qmp.sock"));
        List<String> restoreArgv = new ArrayList<>(argv);
        restoreArgv.addAll(List.of("-incoming", "exec:cat '" + state + "'"));
        long t1 = System.nanoTime();
        VmProcess restored = VmProcess.start(restoreArgv, dir.resolve("monitor.log"), dir.resolve("console.log"));
        try {
            double restoreMs;
            double workloadMs;
            try (AgentClient client = answer(restored, AgentPortLayout.socket(dir, restorePort), t1)) {
                restoreMs = (System.nanoTime() - t1) / 1e6;
                long t2 = System.nanoTime();
                dev.agentkernel.agent.RunResult r = client.run(new dev.agentkernel.agent.AgentRequest.Run(WORKLOAD));
                workloadMs = (System.nanoTime() - t2) / 1e6;
                if (r.exitCode() != 0) {
                    throw new VmException("the workload failed: " + r.stderr());
                }
            }
            return new Measured(bootMs, restoreMs, stateBytes, console, workloadMs);
        } finally {
            restored.kill();
        }
    }

    /** Hellos on {@code socket} until the agent answers (bounded by {@link #BOOT_TIMEOUT}); the caller closes it. */
    private static AgentClient answer(VmProcess vm, Path socket, long startNanos) {
        Instant deadline = Instant.now().plus(BOOT_TIMEOUT).minusNanos(System.nanoTime() - startNanos);
        VirtioSerialTransport transport = new VirtioSerialTransport(socket);
        while (true) {
            if (!vm.isAlive()) {
                throw new VmException("the VM stopped before its agent answered" + vm.lastLines(15));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new VmException("no answer within " + BOOT_TIMEOUT.toSeconds() + " s" + vm.lastLines(15));
            }
            AgentChannel channel;
            try {
                channel = transport.connect(Instant.now().plusSeconds(2));
            } catch (IOException e) {
                sleep(2);
                continue;
            }
            try {
                return new AgentClient(AgentConnection.open(channel, Duration.ofSeconds(2), "bench", null));
            } catch (VmException e) {
                // the guest has not opened its port yet
            }
        }
    }

    /** The command line before this benchmark's adopted options: those taken out of {@code now}. */
    static List<String> baseline(List<String> now) {
        List<String> argv = new ArrayList<>(now);
        int m = argv.indexOf("-M") + 1;
        List<String> props = new ArrayList<>(List.of(argv.get(m).split(",")));
        props.removeAll(ADOPTED_MACHINE);
        argv.set(m, String.join(",", props));
        return kernelArgs(argv, ADOPTED_KERNEL, List.of());
    }

    /** {@code argv} with machine properties added to {@code -M}. */
    /** {@code argv} with QEMU's default CPU model: no ARAT, so the guest's tick stays periodic (250 Hz). */
    static List<String> withoutArat(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        int cpu = out.indexOf("-cpu");
        if (cpu >= 0) {
            out.remove(cpu + 1);
            out.remove(cpu);
        }
        return out;
    }

    static List<String> machine(List<String> argv, List<String> props) {
        List<String> out = new ArrayList<>(argv);
        int m = out.indexOf("-M") + 1;
        out.set(m, out.get(m) + "," + String.join(",", props));
        return out;
    }

    /** {@code argv} with kernel arguments removed and added. */
    static List<String> kernelArgs(List<String> argv, List<String> remove, List<String> add) {
        List<String> out = new ArrayList<>(argv);
        int a = out.indexOf("-append") + 1;
        List<String> args = new ArrayList<>(List.of(out.get(a).split(" ")));
        args.removeAll(remove);
        args.addAll(add);
        out.set(a, String.join(" ", args));
        return out;
    }

    private static List<String> initramfs(List<String> argv, Path initramfs) {
        List<String> out = new ArrayList<>(argv);
        out.set(out.indexOf("-initrd") + 1, initramfs.toString());
        return out;
    }

    /** The kernel's initramfs without the vsock modules (which only Firecracker's agent transport needs). */
    private static Path withoutVsock(PreparedKernel kernel, Path target) throws IOException {
        KernelSetup.SetupRecord record = new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(kernel.initramfs().resolveSibling("setup.json").toFile(), KernelSetup.SetupRecord.class);
        List<Path> modules = record.modules().stream().map(Path::of)
                .filter(p -> !p.getFileName().toString().contains("vsock")).toList();
        try (OutputStream out = Files.newOutputStream(target)) {
            InitramfsWriter.write(modules, InitramfsWriter.stageOneInit(), out);
        }
        System.err.printf("initramfs %d bytes; without vsock modules %d bytes%n", Files.size(kernel.initramfs()),
                Files.size(target));
        return target;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
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
