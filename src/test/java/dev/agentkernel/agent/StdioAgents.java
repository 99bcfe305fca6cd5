package dev.agentkernel.agent;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real guest agent run on the host as {@code agent --stdio}, one process per connection, all sharing one
 * state directory (detached sessions, the session counter), as a guest's ports do. The binary is the packaged
 * one, or {@code -Dagentkernel.test.agent=PATH}. Closing ends every process it started.
 */
final class StdioAgents implements AgentConnector, Closeable {
    private final Path binary;
    private final Path state;
    private final Path log;
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    StdioAgents(Path dir) {
        try {
            this.binary = binary(dir);
            this.state = Files.createDirectories(dir.resolve("state"));
            this.log = dir.resolve("agent.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path binary(Path dir) throws IOException {
        String given = System.getProperty("agentkernel.test.agent");
        if (given != null && !given.isEmpty()) {
            return Path.of(given);
        }
        assumeTrue(PackagedAgent.available(), "this build has no guest agent (no C compiler)");
        Path binary = dir.resolve("agent");
        if (!Files.exists(binary)) {
            Files.write(binary, PackagedAgent.bytes());
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return binary;
    }

    /** A fresh agent process and its connection, {@code hello} done; closing the connection ends the process. */
    @Override
    public AgentConnection open() {
        Process process = start();
        AgentChannel channel = new StreamAgentChannel(process.getInputStream(), process.getOutputStream());
        Closeable end = () -> stop(process);
        return AgentConnection.open(channel, Duration.ofSeconds(10), "agent --stdio (pid " + process.pid() + ")", end);
    }

    Process start() {
        try {
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--stdio")
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("AGENTKERNEL_AGENT_STATE", state.toString());
            Process process = pb.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closing stdin is the agent's hang-up: it kills the attached session's group and exits. */
    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            // the agent first: killed children first would let it report their exit before it dies
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
