package dev.agentkernel.api;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.agent.DetachedInfo;
import dev.agentkernel.agent.DetachedProcess;
import dev.agentkernel.agent.LogStream;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /sandboxes/{name}/exec/detach} and {@code …/exec/detached…}: background commands that run on in the
 * guest without any connection. A command's id is its session number in the guest (unique until the sandbox
 * boots again).
 */
final class DetachedRoutes {
    private final SandboxProcesses processes;

    DetachedRoutes(SandboxService service) {
        this.processes = new SandboxProcesses(service);
    }

    List<Route> routes() {
        return List.of(
                Route.of("POST", "/sandboxes/{name}/exec/detach", this::detach),
                Route.of("GET", "/sandboxes/{name}/exec/detached", c -> {
                    SandboxName name = SandboxRoutes.name(c);
                    return Reply.ok(processes.list(name).stream().map(d -> view(name, d)).toList());
                }),
                Route.of("GET", "/sandboxes/{name}/exec/detached/{id}",
                        c -> Reply.ok(view(SandboxRoutes.name(c), processes.find(SandboxRoutes.name(c), id(c))))),
                Route.of("GET", "/sandboxes/{name}/exec/detached/{id}/logs", this::logs),
                Route.of("DELETE", "/sandboxes/{name}/exec/detached/{id}", c -> {
                    long id = id(c);
                    processes.kill(SandboxRoutes.name(c), id);
                    return Reply.ok("Command " + id + " killed");
                }));
    }

    private Reply detach(Call c) {
        SandboxName name = SandboxRoutes.name(c);
        DetachedProcess started = processes.detach(name, SandboxRoutes.execRequest(c.jsonBody()));
        return Reply.ok(view(name, processes.find(name, started.session())));
    }

    private Reply logs(Call c) {
        SandboxName name = SandboxRoutes.name(c);
        long id = id(c);
        String stream = c.query().get("stream");
        if (stream != null && !stream.equals("stdout") && !stream.equals("stderr")) {
            throw ApiException.badRequest("stream must be stdout or stderr, not '" + stream + "'");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        if (stream == null || stream.equals("stdout")) {
            data.put("stdout", new String(processes.log(name, id, LogStream.STDOUT), StandardCharsets.UTF_8));
        }
        if (stream == null || stream.equals("stderr")) {
            data.put("stderr", new String(processes.log(name, id, LogStream.STDERR), StandardCharsets.UTF_8));
        }
        return Reply.ok(data);
    }

    private static long id(Call c) {
        String id = c.param("id");
        try {
            long v = Long.parseLong(id);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("bad detached command id '" + Quote.escape(id, Quote.MAX_CHARS)
                + "': a positive number");
    }

    /** The SDK's {@code DetachedCommand}: status running, completed (exit 0) or failed. */
    static Map<String, Object> view(SandboxName sandbox, DetachedInfo d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(d.session()));
        m.put("sandbox", sandbox.value());
        m.put("command", d.command());
        m.put("pid", d.pid());
        m.put("status", d.running() ? "running" : Integer.valueOf(0).equals(d.exitCode()) ? "completed" : "failed");
        m.put("exit_code", d.exitCode());
        m.put("started_at", d.startedAt() == null ? null : d.startedAt().toString());
        if (d.endedAt() != null) {
            m.put("ended_at", d.endedAt().toString());
        }
        if (d.signal() != 0) {
            m.put("signal", d.signal());
        }
        return m;
    }
}
