package dev.agentkernel.api;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.agent.AgentPorts;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.vm.VmFixtures;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * scripts/bench-api (not a test): exec latency through {@code agentkernel serve} on one running sandbox,
 * sequentially and with 8 concurrent clients for 60 s (errors counted), beside {@code agentkernel exec} from the
 * CLI and the agent's own request latency on one of the sandbox's agent ports.
 */
public final class ApiBenchmark {
    private static final String KEY = "bench-key";
    private static final String EXEC = "{\"command\": [\"true\"]}";

    private ApiBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int sequential = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path work = Files.createTempDirectory("ak-bench-api");
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("kernels"));
        Files.writeString(home.resolve("kernels/accelerator.json"), "{\"accelerator\":\"tcg\"}");
        try (BusyboxImages images = new BusyboxImages(work)) {
            String image = VmFixtures.busyboxArchive(images);
            try (ServeProcess server = ServeProcess.start(home, work.resolve("serve.log"), Map.of(), "--api-key", KEY,
                    "--default-image", image)) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> created = post(http, server, "/sandboxes", "{\"name\": \"bench\", \"memory_mb\": 256}");
                if (created.statusCode() != 201) {
                    throw new AssertionError(created.body());
                }
                for (int i = 0; i < 20; i++) {
                    post(http, server, "/sandboxes/bench/exec", EXEC); // warm-up
                }
                List<Long> seq = new ArrayList<>();
                int seqErrors = 0;
                for (int i = 0; i < sequential; i++) {
                    long t = System.nanoTime();
                    seqErrors += post(http, server, "/sandboxes/bench/exec", EXEC).statusCode() == 200 ? 0 : 1;
                    seq.add(System.nanoTime() - t);
                }
                report("HTTP exec, sequential (" + sequential + " requests)", seq, seqErrors, 0);

                List<Long> conc = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger errors = new AtomicInteger();
                Instant end = Instant.now().plusSeconds(seconds);
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    clients.add(pool.submit(() -> {
                        HttpClient own = HttpClient.newHttpClient();
                        while (Instant.now().isBefore(end)) {
                            long t = System.nanoTime();
                            try {
                                if (post(own, server, "/sandboxes/bench/exec", EXEC).statusCode() != 200) {
                                    errors.incrementAndGet();
                                }
                            } catch (Exception e) {
                                errors.incrementAndGet();
                            }
                            conc.add(System.nanoTime() - t);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(seconds + 120L, TimeUnit.SECONDS);
                }
                pool.shutdown();
                report("HTTP exec, 8 concurrent clients for " + seconds + " s", conc, errors.get(), seconds);

                List<Long> cli = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    long t = System.nanoTime();
                    ProcessBuilder pb = new ProcessBuilder(ServeProcess.javaCommand("exec", "bench", "--", "true"));
                    pb.environment().put("AGENTKERNEL_HOME", home.toString());
                    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                    int code = pb.start().waitFor();
                    cli.add(System.nanoTime() - t);
                    if (code != 0) {
                        throw new AssertionError("agentkernel exec exited " + code);
                    }
                }
                report("agentkernel exec from the CLI (a JVM each, 10 runs)", cli, 0, 0);

                Path dir = home.resolve("sandboxes/bench");
                try (AgentClient agent = new AgentClient(new AgentPorts(dir).open())) {
                    List<Long> ping = new ArrayList<>();
                    List<Long> run = new ArrayList<>();
                    for (int i = 0; i < sequential; i++) {
                        long t = System.nanoTime();
                        agent.ping(Duration.ofSeconds(10));
                        ping.add(System.nanoTime() - t);
                        t = System.nanoTime();
                        agent.run(new AgentRequest.Run(List.of("true")));
                        run.add(System.nanoTime() - t);
                    }
                    report("agent ping on one open port (" + sequential + ")", ping, 0, 0);
                    report("agent run `true` on one open port (" + sequential + ")", run, 0, 0);
                }
                post(http, server, "/sandboxes/bench/stop", "{}");
                HttpRequest del = HttpRequest.newBuilder(URI.create(server.base() + "/sandboxes/bench"))
                        .header("Authorization", "Bearer " + KEY).DELETE().build();
                http.send(del, HttpResponse.BodyHandlers.ofString());
            }
        } finally {
            VmFixtures.deleteTree(work);
        }
    }

    private static HttpResponse<String> post(HttpClient http, ServeProcess server, String path, String body)
            throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static void report(String what, List<Long> nanos, int errors, int seconds) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        double p50 = sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6;
        String rate = seconds > 0 ? String.format(", %.1f requests/s", sorted.size() / (double) seconds) : "";
        System.out.printf("%-60s n=%d p50 %.1f ms p99 %.1f ms errors %d%s%n", what, sorted.size(), p50, p99, errors, rate);
    }
}
