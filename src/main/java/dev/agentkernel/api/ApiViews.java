package dev.agentkernel.api;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxRecord;
import dev.agentkernel.sandbox.SandboxStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes the API answers with, as agentkernel 0.18's server and its SDKs' types name their fields. */
final class ApiViews {
    private ApiViews() {
    }

    /**
     * A sandbox: the SDK's {@code SandboxInfo} ({@code status} is {@code running} or {@code stopped}) plus what
     * agentkernel's server adds and ours knows ({@code state} tells an {@code exited} sandbox from a stopped one).
     */
    static Map<String, Object> sandbox(SandboxInfo info) {
        SandboxRecord r = info.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("uuid", r.uuid());
        m.put("status", info.status() == SandboxStatus.RUNNING ? "running"
                : info.status() == SandboxStatus.PAUSED ? "paused" : "stopped");
        m.put("state", info.status().text());
        m.put("backend", r.backend() == null ? "qemu" : r.backend());
        m.put("image", r.image());
        m.put("vcpus", r.cpus());
        m.put("memory_mb", r.memoryMb());
        m.put("created_at", r.createdAt());
        m.put("labels", r.labels());
        putIfPresent(m, "description", r.description());
        putIfPresent(m, "expires_at", r.expiresAt());
        putIfPresent(m, "exit_reason", info.exitReason());
        return m;
    }

    /** A command's output as agentkernel gives it: standard output, then standard error. */
    static String output(RunResult r) {
        return r.stdout() + r.stderr();
    }

    /** {@code {"output": ...}} for a command that exited 0; the 409 error of agentkernel's server otherwise. */
    static Map<String, Object> runOutput(RunResult r) {
        if (r.exitCode() != 0) {
            throw commandFailed(r);
        }
        return Map.of("output", output(r));
    }

    static ApiException commandFailed(RunResult r) {
        String output = output(r);
        String why = r.timedOut() ? " (timed out)" : r.error() != null ? " (" + r.error() + ")" : "";
        return new ApiException(409, "Command exited with code " + r.exitCode() + why + ": " + output,
                Map.of("exit_code", r.exitCode(), "output", output));
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
