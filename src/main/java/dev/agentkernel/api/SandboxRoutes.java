package dev.agentkernel.api;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.vm.LogTail;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.DurationText;
import dev.agentkernel.vm.SandboxOptions;
import dev.agentkernel.vm.VmSpec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /sandboxes…}: the lifecycle and exec routes, each translated into one call of the sandbox service. */
final class SandboxRoutes {
    /** What agentkernel's server takes for {@code profile}; networking decides what each means. */
    static final List<String> PROFILES = List.of("permissive", "moderate", "restrictive");
    /** Create fields agentkernel offers that this server does not do yet: refused, never ignored. */
    private static final List<String> UNSUPPORTED_LISTS = List.of("volumes", "secrets", "secret_files", "ports");
    private static final List<String> UNSUPPORTED_STRINGS = List.of("source_url", "source_ref");

    private final SandboxService service;
    private final String defaultImage;

    SandboxRoutes(SandboxService service, String defaultImage) {
        this.service = service;
        this.defaultImage = defaultImage;
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/sandboxes", c -> Reply.ok(service.list().stream().map(ApiViews::sandbox).toList())),
                Route.of("POST", "/sandboxes", this::create),
                Route.of("GET", "/sandboxes/by-uuid/{uuid}", c -> Reply.ok(ApiViews.sandbox(service.byUuid(c.param("uuid"))))),
                Route.of("GET", "/sandboxes/{name}", c -> Reply.ok(ApiViews.sandbox(service.inspect(name(c))))),
                Route.of("PATCH", "/sandboxes/{name}", this::patch),
                Route.of("DELETE", "/sandboxes/{name}", c -> {
                    service.remove(name(c), true);
                    return Reply.ok("Sandbox removed");
                }),
                Route.of("POST", "/sandboxes/{name}/start", c -> Reply.ok(ApiViews.sandbox(service.start(name(c))))),
                Route.of("POST", "/sandboxes/{name}/stop",
                        c -> Reply.ok(ApiViews.sandbox(service.stop(name(c), SandboxService.DEFAULT_STOP_GRACE)))),
                Route.of("POST", "/sandboxes/{name}/extend", this::extend),
                Route.of("GET", "/sandboxes/{name}/logs", this::logs),
                Route.of("POST", "/sandboxes/{name}/exec", this::exec));
    }

    static SandboxName name(Call c) {
        return SandboxName.of(c.param("name"));
    }

    private Reply create(Call c) {
        JsonBody b = c.jsonBody();
        SandboxName name = SandboxName.of(b.requiredString("name"));
        for (String field : UNSUPPORTED_LISTS) {
            if (!b.strings(field).isEmpty()) {
                throw ApiException.notImplemented("'" + field + "' is not supported by this server yet");
            }
        }
        for (String field : UNSUPPORTED_STRINGS) {
            if (b.string(field) != null) {
                throw ApiException.notImplemented("'" + field + "' is not supported by this server yet");
            }
        }
        String image = b.string("image") != null ? b.string("image") : defaultImage;
        int vcpus = orDefault(b.integer("vcpus", 1, 64), SandboxOptions.DEFAULT_CPUS);
        int memory = orDefault(b.integer("memory_mb", 64, 1 << 20), SandboxOptions.DEFAULT_MEMORY_MB);
        VmSpec.checkSize(memory, vcpus);
        profile(b);
        Duration ttl = b.string("ttl") == null ? null : DurationText.parse(b.string("ttl"), "ttl");
        Map<String, String> labels = b.stringMap("labels");
        return Reply.created(ApiViews.sandbox(service.create(new CreateRequest(name, image, memory, vcpus,
                Map.of(), null, labels, ttl, true, null, null, null, null, null, b.string("description")),
                dev.agentkernel.rootfs.ConversionListener.NONE)));
    }

    /** Checks {@code profile} against agentkernel's names (each sandbox is isolated the same way today). */
    static String profile(JsonBody b) {
        String profile = b.string("profile");
        if (profile != null && !PROFILES.contains(profile.toLowerCase(java.util.Locale.ROOT))) {
            throw ApiException.badRequest("Invalid profile '" + profile + "'. Use: permissive, moderate, restrictive");
        }
        return profile;
    }

    private Reply patch(Call c) {
        JsonBody b = c.jsonBody();
        return Reply.ok(ApiViews.sandbox(service.annotate(name(c), b.stringMap("labels"), b.string("description"))));
    }

    private Reply extend(Call c) {
        JsonBody b = c.jsonBody();
        String by = b.string("by") == null ? "1h" : b.string("by");
        var info = service.extendTtl(name(c), DurationText.parse(by, "by"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("expires_at", info.record().expiresAt());
        return Reply.ok(data);
    }

    private Reply logs(Call c) {
        List<Map<String, Object>> entries = LogTail.lines(service.consoleLog(name(c)), 1000).stream()
                .map(line -> Map.<String, Object>of("source", "console", "line", line)).toList();
        return Reply.ok(entries);
    }

    private Reply exec(Call c) {
        SandboxName name = name(c);
        ExecRequest request = execRequest(c.jsonBody());
        return Reply.ok(ApiViews.runOutput(new SandboxExec(service).run(name, request)));
    }

    /** {@code command}, {@code env} as {@code K=V} strings, {@code workdir}, {@code sudo}, {@code timeout_ms}. */
    static ExecRequest execRequest(JsonBody b) {
        List<String> command = b.strings("command");
        if (command.isEmpty()) {
            throw ApiException.badRequest("command is required");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : b.strings("env")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserInputException("bad env entry '" + Quote.escape(pair, Quote.MAX_CHARS)
                        + "': use KEY=VALUE");
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        Long timeout = b.longValue("timeout_ms", 0, Duration.ofDays(1).toMillis());
        return new ExecRequest(command, env, b.string("workdir"), b.bool("sudo") ? "root" : null, false, false,
                false, timeout == null ? 0 : timeout);
    }

    private static int orDefault(Integer v, int fallback) {
        return v == null ? fallback : v;
    }
}
