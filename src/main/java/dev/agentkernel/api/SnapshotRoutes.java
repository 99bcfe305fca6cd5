package dev.agentkernel.api;

import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.sandbox.SandboxSnapshots;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /snapshots…}, agentkernel's snapshot routes, each one call of {@link SandboxSnapshots}: list, take
 * ({@code {sandbox, name?}}), get, delete, and restore ({@code POST /snapshots/{name}/restore}, optionally
 * {@code {"as": NEW}}; by default the saved sandbox's name).
 */
final class SnapshotRoutes {
    private final SandboxSnapshots snapshots;

    SnapshotRoutes(SandboxService service) {
        this.snapshots = new SandboxSnapshots(service);
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/snapshots", c -> Reply.ok(snapshots.list().stream().map(SnapshotRoutes::meta).toList())),
                Route.of("POST", "/snapshots", c -> {
                    JsonBody b = c.jsonBody();
                    return Reply.created(meta(snapshots.take(SandboxName.of(b.requiredString("sandbox")), b.string("name"))));
                }),
                Route.of("GET", "/snapshots/{name}", c -> Reply.ok(meta(snapshots.info(c.param("name"))))),
                Route.of("DELETE", "/snapshots/{name}", c -> {
                    snapshots.remove(c.param("name"));
                    return Reply.ok("Snapshot removed");
                }),
                Route.of("POST", "/snapshots/{name}/restore", c -> {
                    String as = c.jsonBody().string("as");
                    return Reply.ok(ApiViews.sandbox(snapshots.restore(c.param("name"),
                            as == null ? null : SandboxName.of(as))));
                }));
    }

    /** agentkernel's {@code SnapshotMeta}, plus the bytes it takes and the sandboxes built on it. */
    static Map<String, Object> meta(SandboxSnapshots.SnapshotInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("sandbox", s.sandbox());
        m.put("image_tag", s.image());
        m.put("backend", s.backend());
        m.put("base_image", s.image());
        m.put("vcpus", s.cpus());
        m.put("memory_mb", s.memoryMb());
        m.put("created_at", s.createdAt());
        m.put("size_bytes", s.bytes());
        m.put("used_by", s.users());
        return m;
    }
}
