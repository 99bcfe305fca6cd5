package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * The version-1 requests (ping, run, files, shutdown) over an {@link AgentConnection}. Errors the agent reports
 * become {@link VmException}s, except a command's own failure, which is a {@link RunResult}. Every answer is
 * checked as the connection checks every frame.
 */
public final class AgentClient implements Closeable {
    /** How long a file operation or a ping of a booted VM may take. */
    public static final Duration DEFAULT_TIMEOUT = AgentConnection.CALL_TIMEOUT;
    /** Added to a command's own timeout: the agent needs a moment to kill it and answer. */
    private static final Duration RUN_MARGIN = Duration.ofSeconds(30);

    private final AgentConnection connection;

    /** A client on a fresh channel, without {@code hello} (the agent may still be booting). */
    public AgentClient(AgentChannel channel) {
        this(AgentConnection.unsynced(Objects.requireNonNull(channel, "channel")));
    }

    public AgentClient(AgentConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The channel underneath (to close it from another thread); never read from it directly. */
    public AgentChannel channel() {
        return connection.channel();
    }

    public AgentConnection connection() {
        return connection;
    }

    /** Sends one request and returns the agent's answer, waiting at most {@code timeout} (null: no bound). */
    public AgentResponse call(AgentRequest request, Duration timeout) {
        return AgentJson.response(connection.call(AgentJson.encode(request), request.type(), timeout, null));
    }

    public void ping(Duration timeout) {
        expectSuccess(call(new AgentRequest.Ping(), timeout), "ping");
    }

    /**
     * Runs a command and waits for it: its own timeout plus a margin; without one, as long as the connection
     * lives (version 1 answers nothing else meanwhile; a stopped VM closes the connection).
     */
    public RunResult run(AgentRequest.Run run) {
        Duration wait = run.timeoutMs() > 0 ? Duration.ofMillis(run.timeoutMs()).plus(RUN_MARGIN) : null;
        AgentResponse r = call(run, wait);
        if (r.exitCode() == null) {
            throw new VmException("the guest agent could not run " + Quote.name(run.command().get(0)) + ": "
                    + Quote.escape(r.error(), 400));
        }
        return new RunResult(r.exitCode(), bytes(r.stdout(), r.stdoutBase64(), "stdout_base64"),
                bytes(r.stderr(), r.stderrBase64(), "stderr_base64"),
                Boolean.TRUE.equals(r.timedOut()), Boolean.TRUE.equals(r.stdoutTruncated()),
                Boolean.TRUE.equals(r.stderrTruncated()), r.error());
    }

    public void writeFile(String path, byte[] content) {
        expectSuccess(call(new AgentRequest.WriteFile(path, content), DEFAULT_TIMEOUT), "write_file " + path);
    }

    public byte[] readFile(String path) {
        AgentResponse r = expectSuccess(call(new AgentRequest.ReadFile(path), DEFAULT_TIMEOUT), "read_file " + path);
        if (r.contentBase64() == null) {
            throw protocolError("its answer to read_file has no 'content_base64'");
        }
        return decode(r.contentBase64(), "content_base64");
    }

    public void removeFile(String path) {
        expectSuccess(call(new AgentRequest.RemoveFile(path), DEFAULT_TIMEOUT), "remove_file " + path);
    }

    public void mkdir(String path, boolean recursive) {
        expectSuccess(call(new AgentRequest.Mkdir(path, recursive), DEFAULT_TIMEOUT), "mkdir " + path);
    }

    /** Configures the guest's network interface, resolver, hosts file and hostname (guest/net.c). */
    public void configureNetwork(AgentRequest.NetConfig config) {
        expectSuccess(call(config, DEFAULT_TIMEOUT), "net_config");
    }

    /** Sets the guest's per-sandbox state (entropy, clock, hostname); an agent without the request refuses it. */
    public void configure(AgentRequest.Configure configure, Duration timeout) {
        expectSuccess(call(configure, timeout), "configure");
    }

    /** Asks the guest to sync and power off; returns once the agent has acknowledged. */
    public void shutdown(Duration timeout) {
        expectSuccess(call(new AgentRequest.Shutdown(), timeout), "shutdown");
    }

    private static AgentResponse expectSuccess(AgentResponse response, String what) {
        if (response.isError()) {
            throw new AgentRefusedException("the guest agent failed: " + Quote.escape(response.error(), 400));
        }
        return response;
    }

    /** A stream's exact bytes: the base64 copy the agent adds when they are not UTF-8, else the text's. */
    private byte[] bytes(String text, String base64, String field) {
        if (base64 != null) {
            return decode(base64, field);
        }
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] decode(String base64, String field) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw protocolError("its '" + field + "' is not valid base64 (" + e.getMessage() + ")");
        }
    }

    /** A bad answer found after the reader handed it on: the connection is closed as for any other. */
    private AgentProtocolException protocolError(String detail) {
        AgentProtocolException e = new AgentProtocolException(detail);
        connection.fail(e);
        return e;
    }

    @Override
    public void close() {
        connection.close();
    }
}
