package dev.agentkernel.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The warm-pool part of {@code scripts/bench-run}: {@code run} taking a sandbox from a pool of two, measured one
 * run at a time once the background fill has made the pool full again (so every run finds one waiting), and
 * what each waiting sandbox costs the host: PSS, and CPU over ten idle seconds.
 */
record PoolFigures(List<Double> runs, double pssMibEach, double idleCpuPercentEach) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 2;

    static PoolFigures measure(List<String> cli, Path home, String source, int count) throws Exception {
        RunBenchmark.exec(RunBenchmark.concat(cli, List.of("pool", "set", source, "-n", Integer.toString(SIZE))), home);
        try {
            List<Double> runs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                awaitFull(cli, home);
                runs.add(RunBenchmark.timeToOutput(RunBenchmark.concat(cli, List.of("run", "--image", source, "--",
                        "echo", "ready")), home));
            }
            JsonNode pool = awaitFull(cli, home);
            double pss = pool.get("host_memory_bytes").asDouble() / SIZE / (1 << 20);
            return new PoolFigures(runs, pss, idleCpuPercent(home) / SIZE);
        } finally {
            RunBenchmark.exec(RunBenchmark.concat(cli, List.of("pool", "rm", source)), home);
        }
    }

    /** The pool once all its sandboxes are ready (bounded: two minutes). */
    private static JsonNode awaitFull(List<String> cli, Path home) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (true) {
            JsonNode pools = JSON.readTree(RunBenchmark.execOut(RunBenchmark.concat(cli, List.of("pool", "ls", "--json")),
                    home));
            if (pools.size() == 1 && pools.get(0).get("ready").asInt() == SIZE && pools.get(0).get("starting").asInt() == 0) {
                return pools.get(0);
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the pool did not fill again: " + pools);
            }
            Thread.sleep(200);
        }
    }

    /** CPU percent of one core that the pool's monitors used over ten seconds of idling, summed. */
    private static double idleCpuPercent(Path home) throws Exception {
        List<Long> pids = new ArrayList<>();
        try (var pools = Files.list(home.resolve("pools"))) {
            for (Path pool : pools.filter(Files::isDirectory).toList()) {
                try (var members = Files.list(pool)) {
                    for (Path m : members.filter(p -> Files.isRegularFile(p.resolve("monitor.json"))).toList()) {
                        pids.add(JSON.readTree(m.resolve("monitor.json").toFile()).get("process").get("pid").asLong());
                    }
                }
            }
        }
        long before = ticks(pids);
        Thread.sleep(10_000);
        return (ticks(pids) - before) / 100.0 / 10.0 * 100.0;
    }

    private static long ticks(List<Long> pids) throws IOException {
        long sum = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        }
        return sum;
    }
}
