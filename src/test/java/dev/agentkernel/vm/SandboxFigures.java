package dev.agentkernel.vm;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.sandbox.SandboxSnapshots;
import dev.agentkernel.store.AgentkernelHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The in-JVM half of {@code scripts/bench-run}: {@code count} sandboxes created one after the other from the
 * image's boot snapshot (create to the first exec's output each), the host memory their monitors take together,
 * then pause, resume and fork of one of them, each timed {@code count} times. Removes every sandbox it made.
 */
record SandboxFigures(int count, List<Double> createToExec, List<Double> fork, List<Double> pause,
                      List<Double> resume, double pssMib, double rssMib) {

    static SandboxFigures measure(Path home, String source, int count) throws IOException {
        SandboxService service = new SandboxService(AgentkernelHome.at(home), System.getenv());
        SandboxExec exec = new SandboxExec(service);
        List<SandboxName> made = new ArrayList<>();
        try {
            create(service, SandboxName.of("bench-warm"), source); // saves this configuration's snapshot if needed
            made.add(SandboxName.of("bench-warm"));
            service.remove(SandboxName.of("bench-warm"), true);
            made.clear();
            List<Double> createToExec = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SandboxName name = SandboxName.of("bench-" + i);
                long t = System.nanoTime();
                create(service, name, source);
                made.add(name);
                RunResult r = exec.run(name, ExecRequest.of(List.of("echo", "ready")));
                createToExec.add((System.nanoTime() - t) / 1e6);
                if (!r.stdout().equals("ready\n")) {
                    throw new IllegalStateException("unexpected output " + r.stdout());
                }
            }
            double pss = 0;
            double rss = 0;
            for (SandboxName name : made) {
                long pid = service.inspect(name).monitorPid();
                pss += kib(pid, "Pss:") / 1024.0;
                rss += kib(pid, "Rss:") / 1024.0;
            }
            SandboxName first = made.get(0);
            List<Double> pause = new ArrayList<>();
            List<Double> resume = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                service.pause(first);
                pause.add((System.nanoTime() - t) / 1e6);
                t = System.nanoTime();
                service.resume(first);
                resume.add((System.nanoTime() - t) / 1e6);
            }
            SandboxSnapshots snapshots = new SandboxSnapshots(service);
            List<Double> fork = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SandboxName copy = SandboxName.of("bench-fork-" + i);
                long t = System.nanoTime();
                snapshots.fork(first, copy);
                fork.add((System.nanoTime() - t) / 1e6);
                service.remove(copy, true);
            }
            return new SandboxFigures(made.size(), createToExec, fork, pause, resume, pss, rss);
        } finally {
            for (SandboxName name : service.store().names()) {
                service.remove(name, true);
            }
        }
    }

    private static void create(SandboxService service, SandboxName name, String source) {
        service.create(new CreateRequest(name, source, SandboxOptions.DEFAULT_MEMORY_MB, SandboxOptions.DEFAULT_CPUS,
                Map.of(), null, Map.of(), null, true, null, null, null, null, null),
                dev.agentkernel.rootfs.ConversionListener.NONE);
    }

    /** A field of /proc/PID/smaps_rollup in KiB. */
    private static long kib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/smaps_rollup");
    }
}
