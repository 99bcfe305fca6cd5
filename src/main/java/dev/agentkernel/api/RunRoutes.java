package dev.agentkernel.api;

import dev.agentkernel.agent.ExecStartException;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.OneShotRun;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.vm.SandboxOptions;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code /run}, {@code /run/stream} and {@code /batch/run}: commands in one-shot sandboxes (made, used and
 * removed by {@link OneShotRun}). A stream sends each chunk of output as the guest produces it; one whose client
 * goes away removes its sandbox, which ends the command, and says so in the server's log.
 */
final class RunRoutes {
    /** How many commands of one batch run at once (each boots a microVM). */
    private static final int BATCH_PARALLELISM = 3;
    /** At most this many commands in one batch. */
    private static final int MAX_BATCH = 64;
    /** How often a stream checks that its client is still there while the command runs. */
    private static final long HEARTBEAT_MS = 1000;

    private final SandboxService service;
    private final String defaultImage;
    private final RequestLog log;
    private final ScheduledExecutorService heartbeats;

    RunRoutes(SandboxService service, String defaultImage, RequestLog log, ScheduledExecutorService heartbeats) {
        this.service = service;
        this.defaultImage = defaultImage;
        this.log = log;
        this.heartbeats = heartbeats;
    }

    List<Route> routes() {
        return List.of(
                Route.of("POST", "/run", c -> Reply.ok(ApiViews.runOutput(
                        new OneShotRun(service, "api-run").run(spec(c.jsonBody()), OneShotRun.Listener.NONE)))),
                Route.of("POST", "/run/stream", this::stream),
                Route.of("POST", "/batch/run", this::batch));
    }

    private OneShotRun.Spec spec(JsonBody b) {
        ExecRequest exec = SandboxRoutes.execRequest(b);
        SandboxRoutes.profile(b);
        String image = b.string("image") != null ? b.string("image") : defaultImage;
        return new OneShotRun.Spec(image, exec, SandboxOptions.DEFAULT_MEMORY_MB, SandboxOptions.DEFAULT_CPUS);
    }

    private Reply stream(Call c) {
        OneShotRun.Spec spec = spec(c.jsonBody()); // bad input is a plain 400, before the stream starts
        return new Reply.Events(events -> {
            OneShotRun run = new OneShotRun(service, "api-stream");
            ScheduledFuture<?> beat = heartbeats.scheduleWithFixedDelay(() -> {
                try {
                    events.heartbeat();
                } catch (UncheckedIOException gone) {
                    log.note("client of stream " + run.name() + " went away: removing its sandbox, which ends the command");
                    run.abort();
                    throw gone; // ends this schedule
                }
            }, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
            try {
                events.send("started", Map.of("sandbox", run.name().value()));
                events.send("progress", Map.of("stage", "creating"));
                EventOutput stdout = new EventOutput(events, "stdout");
                EventOutput stderr = new EventOutput(events, "stderr");
                int exitCode;
                try {
                    exitCode = run.stream(spec, stage -> events.send("progress", Map.of("stage", stage)), stdout, stderr)
                            .exitCode();
                } catch (ExecStartException notStarted) {
                    byte[] why = (notStarted.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    stderr.write(why, 0, why.length);
                    exitCode = notStarted.exitCode();
                }
                stdout.close();
                stderr.close();
                events.send("done", Map.of("exit_code", exitCode, "success", exitCode == 0));
            } catch (AgentkernelException e) {
                if (!events.broken()) {
                    events.send("error", Map.of("message", e.getMessage()));
                }
            } finally {
                beat.cancel(false);
            }
        });
    }

    private Reply batch(Call c) {
        List<JsonBody> commands = c.jsonBody().objects("commands");
        if (commands.isEmpty()) {
            throw ApiException.badRequest("commands array is required and must not be empty");
        }
        if (commands.size() > MAX_BATCH) {
            throw ApiException.badRequest("at most " + MAX_BATCH + " commands in one batch, not " + commands.size());
        }
        List<OneShotRun.Spec> specs = new ArrayList<>();
        for (JsonBody b : commands) {
            specs.add(spec(b));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(BATCH_PARALLELISM, specs.size()));
        try {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (OneShotRun.Spec spec : specs) {
                futures.add(pool.submit(() -> batchResult(spec)));
            }
            List<Map<String, Object>> results = new ArrayList<>();
            for (Future<Map<String, Object>> f : futures) {
                results.add(f.get());
            }
            return Reply.ok(Map.of("results", results));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(500, "interrupted while the batch ran");
        } catch (ExecutionException e) {
            throw new ApiException(500, "a batch command failed: " + e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Map<String, Object> batchResult(OneShotRun.Spec spec) {
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            RunResult r = new OneShotRun(service, "api-batch").run(spec, OneShotRun.Listener.NONE);
            if (r.exitCode() == 0) {
                result.put("output", ApiViews.output(r));
                result.put("error", null);
            } else {
                result.put("output", null);
                result.put("error", ApiViews.commandFailed(r).getMessage());
            }
        } catch (AgentkernelException e) {
            result.put("output", null);
            result.put("error", e.getMessage());
        }
        return result;
    }
}
