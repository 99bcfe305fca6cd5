package dev.agentkernel.mcp;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.OneShotRun;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxFiles;
import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.sandbox.SandboxStatus;
import dev.agentkernel.store.DurationText;
import dev.agentkernel.vm.SandboxOptions;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The MCP tools, named and shaped as agentkernel's MCP server offers them, each one call of the sandbox service.
 * A failure is a tool result with {@code isError} (the model reads it and can react), never a protocol error.
 */
final class SandboxTools {
    /** sandbox_run's timeout when none is given, as agentkernel's. */
    private static final long DEFAULT_RUN_TIMEOUT_MS = 30_000;

    private final SandboxService service;
    private final String defaultImage;

    SandboxTools(SandboxService service, String defaultImage) {
        this.service = service;
        this.defaultImage = defaultImage;
    }

    List<SyncToolSpecification> all() {
        return List.of(
                tool("sandbox_run", "Run a command in a fresh, isolated microVM sandbox that is removed afterwards"
                                + " (SAFE: cannot affect the host). Returns its output.",
                        Schema.object()
                                .strings("command", "The command and its arguments, e.g. [\"python3\", \"-c\", \"print(1)\"]")
                                .string("image", "Image to run (default: " + defaultImage + ")")
                                .string("cwd", "Working directory inside the sandbox")
                                .stringMap("env", "Environment variables")
                                .integer("timeout_ms", "Timeout in milliseconds (default: 30000)")
                                .oneOf("profile", List.of("permissive", "moderate", "restrictive"), "Security profile")
                                .bool("fast", "Accepted for compatibility; every run boots its own sandbox")
                                .required("command"),
                        this::run),
                tool("sandbox_create", "Create and start a persistent sandbox for running several commands.",
                        Schema.object()
                                .string("name", "Name for the sandbox (1-63 letters, digits, '-' or '_')")
                                .string("image", "Image to use (default: " + defaultImage + ")")
                                .integer("memory_mb", "Memory in MB (default: 512)")
                                .integer("vcpus", "Virtual CPUs (default: 1)")
                                .required("name"),
                        this::create),
                tool("sandbox_exec", "Execute a command in a running sandbox (SAFE: runs in isolation).",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .strings("command", "The command and its arguments")
                                .strings("env", "Environment variables as KEY=VALUE")
                                .string("workdir", "Working directory inside the sandbox")
                                .bool("sudo", "Run the command as root")
                                .required("name", "command"),
                        this::exec),
                tool("sandbox_list", "List all sandboxes and their status (read-only).", Schema.object(), a -> list()),
                tool("sandbox_remove", "Remove a sandbox (stops it first when it runs).",
                        nameOnly("Name of the sandbox to remove"), this::remove),
                tool("sandbox_start", "Start a stopped sandbox.", nameOnly("Name of the sandbox to start"), this::start),
                tool("sandbox_stop", "Stop a running sandbox; its disk is kept for a later start.",
                        nameOnly("Name of the sandbox to stop"), this::stop),
                tool("sandbox_file_write", "Write a text file into a running sandbox (never the host).",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .string("path", "Absolute path inside the sandbox")
                                .string("content", "Content to write")
                                .required("name", "path", "content"),
                        this::fileWrite),
                tool("sandbox_file_read", "Read a file from a running sandbox (read-only).",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .string("path", "Absolute path inside the sandbox")
                                .required("name", "path"),
                        this::fileRead),
                tool("sandbox_write_files", "Write several text files into a running sandbox in one call.",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .stringMap("files", "Absolute path to content, e.g. {\"/app/main.py\": \"print(1)\"}")
                                .required("name", "files"),
                        this::writeFiles),
                tool("sandbox_exec_detach", "Start a detached (background) command in a sandbox; returns its id"
                                + " (NAME:N) for sandbox_exec_status, sandbox_exec_logs and sandbox_exec_kill.",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .strings("command", "The command and its arguments")
                                .strings("env", "Environment variables as KEY=VALUE")
                                .string("workdir", "Working directory inside the sandbox")
                                .bool("sudo", "Run the command as root")
                                .required("name", "command"),
                        this::detach),
                tool("sandbox_exec_status", "Get the status of a detached command (running, completed, failed).",
                        Schema.object().string("id", "The detached command's id").required("id"), this::detachedStatus),
                tool("sandbox_exec_logs", "Get the stdout or stderr of a detached command.",
                        Schema.object().string("id", "The detached command's id")
                                .oneOf("stream", List.of("stdout", "stderr"), "Which stream (default: stdout)")
                                .required("id"), this::detachedLogs),
                tool("sandbox_exec_kill", "Kill a detached command (SIGTERM to its process group).",
                        Schema.object().string("id", "The detached command's id").required("id"), this::detachedKill),
                tool("sandbox_exec_list", "List the detached commands of a sandbox, or of every running one.",
                        Schema.object().string("name", "Name of the sandbox (optional)"), this::detachedList),
                tool("sandbox_extend_ttl", "Extend a sandbox's time to live.",
                        Schema.object()
                                .string("name", "Name of the sandbox")
                                .string("by", "Additional time, e.g. 30m, 1h, 2d (default: 1h)")
                                .required("name"),
                        this::extendTtl));
    }

    private static Schema nameOnly(String description) {
        return Schema.object().string("name", description).required("name");
    }

    private static SyncToolSpecification tool(String name, String description, Schema schema,
                                              Function<ToolArgs, String> action) {
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(schema.toMap()).build();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            try {
                String text = action.apply(new ToolArgs(request.arguments()));
                return McpSchema.CallToolResult.builder().addTextContent(ToolText.truncate(text)).isError(false).build();
            } catch (AgentkernelException e) {
                return error(e.getMessage());
            } catch (RuntimeException e) {
                return error("internal error: " + e);
            }
        }).build();
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(ToolText.truncate("Error: " + message))
                .isError(true).build();
    }

    private static SandboxName name(ToolArgs a) {
        return SandboxName.of(a.required("name"));
    }

    private static List<String> command(ToolArgs a) {
        List<String> command = a.strings("command");
        if (command.isEmpty()) {
            throw new UserInputException("command is required");
        }
        return command;
    }

    /** The output when the command exited 0; else an error carrying its exit code and output. */
    private static String output(RunResult r) {
        String output = r.stdout() + r.stderr();
        if (r.exitCode() != 0) {
            String why = r.timedOut() ? " (timed out)" : r.error() != null ? " (" + r.error() + ")" : "";
            throw new UserInputException("Command exited with code " + r.exitCode() + why + ": " + output);
        }
        return output;
    }

    private String run(ToolArgs a) {
        Long timeout = a.number("timeout_ms");
        if (timeout != null && timeout <= 0) {
            throw new UserInputException("timeout_ms must be positive");
        }
        String profile = a.string("profile");
        if (profile != null && !List.of("permissive", "moderate", "restrictive").contains(profile)) {
            throw new UserInputException("profile must be permissive, moderate or restrictive");
        }
        ExecRequest exec = new ExecRequest(command(a), a.stringMap("env"), a.string("cwd"), null, false, false, false,
                timeout == null ? DEFAULT_RUN_TIMEOUT_MS : timeout);
        String image = a.string("image") != null ? a.string("image") : defaultImage;
        return output(new OneShotRun(service, "mcp-run").run(new OneShotRun.Spec(image, exec,
                SandboxOptions.DEFAULT_MEMORY_MB, SandboxOptions.DEFAULT_CPUS), OneShotRun.Listener.NONE));
    }

    private String create(ToolArgs a) {
        SandboxName name = name(a);
        String image = a.string("image") != null ? a.string("image") : defaultImage;
        Long memory = a.number("memory_mb");
        Long cpus = a.number("vcpus");
        int memoryMb = memory == null ? SandboxOptions.DEFAULT_MEMORY_MB : (int) Math.min(memory, Integer.MAX_VALUE);
        int vcpus = cpus == null ? SandboxOptions.DEFAULT_CPUS : (int) Math.min(cpus, Integer.MAX_VALUE);
        dev.agentkernel.vm.VmSpec.checkSize(memoryMb, vcpus);
        service.create(new CreateRequest(name, image, memoryMb, vcpus, Map.of(), null, Map.of(), null, true, null,
                null, null, null, null), ConversionListener.NONE);
        return "Sandbox '" + name + "' created and started with image '" + image + "'";
    }

    private String exec(ToolArgs a) {
        ExecRequest request = new ExecRequest(command(a), envList(a), a.string("workdir"), a.bool("sudo") ? "root" : null,
                false, false, false, 0);
        return output(new SandboxExec(service).run(name(a), request));
    }

    private String list() {
        List<SandboxInfo> all = service.list();
        if (all.isEmpty()) {
            return "No sandboxes found.";
        }
        StringBuilder out = new StringBuilder("NAME\tSTATUS\tBACKEND\tIMAGE\n");
        for (SandboxInfo s : all) {
            out.append(s.name()).append('\t').append(s.status().text()).append('\t')
                    .append(s.record().backend() == null ? "qemu" : s.record().backend()).append('\t')
                    .append(s.record().image()).append('\n');
        }
        return out.toString();
    }

    private String remove(ToolArgs a) {
        SandboxName name = name(a);
        service.remove(name, true);
        return "Sandbox '" + name + "' removed.";
    }

    private String start(ToolArgs a) {
        SandboxName name = name(a);
        if (service.inspect(name).status() == SandboxStatus.RUNNING) {
            return "Sandbox '" + name + "' is already running.";
        }
        service.start(name);
        return "Sandbox '" + name + "' started.";
    }

    private String stop(ToolArgs a) {
        SandboxName name = name(a);
        if (!service.inspect(name).status().alive()) {
            return "Sandbox '" + name + "' is already stopped.";
        }
        service.stop(name, SandboxService.DEFAULT_STOP_GRACE);
        return "Sandbox '" + name + "' stopped.";
    }

    private String fileWrite(ToolArgs a) {
        SandboxName name = name(a);
        String path = a.required("path");
        String content = a.string("content");
        if (content == null) {
            throw new UserInputException("content is required");
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        new SandboxFiles(service).write(name, path, bytes);
        return "Wrote " + bytes.length + " bytes to '" + path + "' in sandbox '" + name + "'";
    }

    private String fileRead(ToolArgs a) {
        byte[] content = new SandboxFiles(service).read(name(a), a.required("path"));
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException binary) {
            return "[binary file, " + content.length + " bytes, base64 encoded]\n"
                    + Base64.getEncoder().encodeToString(content);
        }
    }

    private String writeFiles(ToolArgs a) {
        SandboxName name = name(a);
        Map<String, String> files = a.stringMap("files");
        if (files.isEmpty()) {
            throw new UserInputException("files is required (an object mapping paths to contents)");
        }
        Map<String, byte[]> contents = new LinkedHashMap<>();
        files.forEach((path, content) -> contents.put(path, content.getBytes(StandardCharsets.UTF_8)));
        int n = new SandboxFiles(service).writeAll(name, contents);
        return "Wrote " + n + " file(s) to sandbox '" + name + "'";
    }

    private static Map<String, String> envList(ToolArgs a) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : a.strings("env")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserInputException("bad env entry " + Quote.name(pair) + ": use KEY=VALUE");
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return env;
    }

    /** A detached command's id here: its sandbox and its session number, so that the id alone finds it. */
    private record DetachedId(SandboxName sandbox, long session) {
        static DetachedId parse(String id) {
            int colon = id.lastIndexOf(':');
            try {
                long session = Long.parseLong(id.substring(colon + 1));
                if (colon > 0 && session > 0) {
                    return new DetachedId(SandboxName.of(id.substring(0, colon)), session);
                }
            } catch (NumberFormatException ignored) {
                // below
            }
            throw new UserInputException("bad detached command id " + Quote.name(id) + ": use NAME:N as"
                    + " sandbox_exec_detach returned it");
        }

        @Override
        public String toString() {
            return sandbox + ":" + session;
        }
    }

    private static String describe(SandboxName sandbox, dev.agentkernel.agent.DetachedInfo d) {
        String status = d.running() ? "running" : Integer.valueOf(0).equals(d.exitCode()) ? "completed" : "failed";
        return new DetachedId(sandbox, d.session()) + "\t" + status + "\t"
                + (d.exitCode() == null ? "-" : d.exitCode().toString()) + "\tpid " + d.pid() + "\t"
                + String.join(" ", d.command());
    }

    private String detach(ToolArgs a) {
        SandboxName name = name(a);
        ExecRequest request = new ExecRequest(command(a), envList(a), a.string("workdir"),
                a.bool("sudo") ? "root" : null, false, false, true, 0);
        dev.agentkernel.agent.DetachedProcess p = new SandboxProcesses(service).detach(name, request);
        return "Started detached command " + new DetachedId(name, p.session()) + " (pid " + p.pid() + ")";
    }

    private String detachedStatus(ToolArgs a) {
        DetachedId id = DetachedId.parse(a.required("id"));
        return describe(id.sandbox(), new SandboxProcesses(service).find(id.sandbox(), id.session()));
    }

    private String detachedLogs(ToolArgs a) {
        DetachedId id = DetachedId.parse(a.required("id"));
        String stream = a.string("stream");
        if (stream != null && !stream.equals("stdout") && !stream.equals("stderr")) {
            throw new UserInputException("stream must be stdout or stderr");
        }
        byte[] log = new SandboxProcesses(service).log(id.sandbox(), id.session(),
                "stderr".equals(stream) ? dev.agentkernel.agent.LogStream.STDERR : dev.agentkernel.agent.LogStream.STDOUT);
        return new String(log, StandardCharsets.UTF_8);
    }

    private String detachedKill(ToolArgs a) {
        DetachedId id = DetachedId.parse(a.required("id"));
        new SandboxProcesses(service).kill(id.sandbox(), id.session());
        return "Command " + id + " killed.";
    }

    private String detachedList(ToolArgs a) {
        List<SandboxName> names = a.string("name") != null ? List.of(name(a)) : service.list().stream()
                .filter(s -> s.status() == SandboxStatus.RUNNING).map(s -> SandboxName.of(s.name())).toList();
        StringBuilder out = new StringBuilder();
        for (SandboxName n : names) {
            for (dev.agentkernel.agent.DetachedInfo d : new SandboxProcesses(service).list(n)) {
                out.append(describe(n, d)).append('\n');
            }
        }
        return out.length() == 0 ? "No detached commands." : "ID\tSTATUS\tEXIT\tPID\tCOMMAND\n" + out;
    }

    private String extendTtl(ToolArgs a) {
        SandboxName name = name(a);
        String by = a.string("by") == null ? "1h" : a.string("by");
        SandboxInfo info = service.extendTtl(name, DurationText.parse(by, "by"));
        return "Extended TTL for sandbox '" + name + "'. New expiry: " + info.record().expiresAt();
    }
}
