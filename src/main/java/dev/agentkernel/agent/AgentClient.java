package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Talks to the guest agent over one {@link AgentChannel}: one request at a time, each answered by a response
 * carrying the same id. Errors the agent reports become {@link VmException}s, except a command's own
 * failure, which is a {@link RunResult}.
 */
public final class AgentClient implements Closeable {
    /** How long a file operation or a ping of a booted VM may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Added to a command's own timeout: the agent needs a moment to kill it and answer. */
    private static final Duration RUN_MARGIN = Duration.ofSeconds(30);

    private final AgentChannel channel;
    private final AtomicLong nextId = new AtomicLong(1);

    public AgentClient(AgentChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /** The channel underneath, for tests that send broken frames on purpose. */
    public AgentChannel channel() {
        return channel;
    }

    /** Sends one request and returns the agent's answer as it came, waiting at most {@code timeout} (null: forever). */
    public synchronized AgentResponse call(AgentRequest request, Duration timeout) {
        String id = Long.toString(nextId.getAndIncrement());
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        try {
            channel.send(AgentJson.encode(id, request));
            AgentResponse response = AgentJson.decode(channel.receive(deadline));
            if (!id.equals(response.id())) {
                if (response.isError()) {
                    throw new VmException("the guest agent refused the " + request.type() + " request: " + response.error());
                }
                throw new VmException("the guest agent answered request " + response.id() + " while request " + id
                        + " was expected; the connection is out of step");
            }
            return response;
        } catch (SocketTimeoutException e) {
            throw new VmException("the guest agent did not answer the " + request.type() + " request within "
                    + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new VmException("lost the connection to the guest agent during a " + request.type() + " request: "
                    + e.getMessage(), e);
        }
    }

    public void ping(Duration timeout) {
        expectSuccess(call(new AgentRequest.Ping(), timeout), "ping");
    }

    /** Runs a command and waits for it (its own timeout plus a margin; forever when it has none). */
    public RunResult run(AgentRequest.Run run) {
        Duration wait = run.timeoutMs() > 0 ? Duration.ofMillis(run.timeoutMs()).plus(RUN_MARGIN) : null;
        AgentResponse r = call(run, wait);
        if (r.exitCode() == null) {
            throw new VmException("the guest agent could not run " + run.command().get(0) + ": " + r.error());
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
            throw new VmException("the guest agent's answer to read_file " + path + " has no content");
        }
        return Base64.getDecoder().decode(r.contentBase64());
    }

    public void removeFile(String path) {
        expectSuccess(call(new AgentRequest.RemoveFile(path), DEFAULT_TIMEOUT), "remove_file " + path);
    }

    public void mkdir(String path, boolean recursive) {
        expectSuccess(call(new AgentRequest.Mkdir(path, recursive), DEFAULT_TIMEOUT), "mkdir " + path);
    }

    /** Asks the guest to sync and power off; returns once the agent has acknowledged. */
    public void shutdown(Duration timeout) {
        expectSuccess(call(new AgentRequest.Shutdown(), timeout), "shutdown");
    }

    private static AgentResponse expectSuccess(AgentResponse response, String what) {
        if (response.isError()) {
            throw new AgentRefusedException("the guest agent failed: " + response.error());
        }
        return response;
    }

    /** A stream's exact bytes: the base64 copy the agent adds when they are not UTF-8, else the text's. */
    private static byte[] bytes(String text, String base64, String field) {
        if (base64 != null) {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new VmException("the guest agent's " + field + " is not base64: " + e.getMessage());
            }
        }
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
