package dev.agentkernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Node clients (agentkernel's Node SDK, the MCP TypeScript SDK) installed by
 * {@code scripts/install-node-clients} into the test cache, and node scripts run against them: each script is
 * copied into a folder of the test's whose {@code node_modules} links to the installed one.
 */
public final class NodeClients {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

    private final Path modules;

    private NodeClients(Path modules) {
        this.modules = modules;
    }

    /** Installs the clients when missing (skips locally / fails under CI=true without node). */
    public static NodeClients install() {
        RequiredTools.require("node");
        RequiredTools.require("npm");
        Path script = Path.of("scripts", "install-node-clients").toAbsolutePath();
        try {
            TestProcess.Result r = TestProcess.runAllowingFailure(List.of(script.toString()), INSTALL_TIMEOUT);
            if (r.exitCode() != 0) {
                throw new AssertionError("scripts/install-node-clients failed: " + r.stderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        String explicit = System.getenv("AGENTKERNEL_NODE_CLIENTS");
        String cache = System.getenv().getOrDefault("AGENTKERNEL_TEST_CACHE", "/var/tmp/agentkernel-test-cache");
        Path dir = explicit != null ? Path.of(explicit) : Path.of(cache, "node-clients-1");
        return new NodeClients(dir.resolve("node_modules"));
    }

    /** What a script printed and how it ended. */
    public record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs the test resource {@code node/NAME} with {@code args} and {@code env}, at most {@code timeout}. */
    public Run run(Path workDir, String name, Map<String, String> env, Duration timeout, String... args) {
        try {
            Path dir = Files.createTempDirectory(workDir, "node");
            Files.createSymbolicLink(dir.resolve("node_modules"), modules);
            Path script = dir.resolve(name);
            try (var in = NodeClients.class.getResourceAsStream("/node/" + name)) {
                if (in == null) {
                    throw new AssertionError("no test resource node/" + name);
                }
                Files.copy(in, script);
            }
            List<String> command = new ArrayList<>(List.of("node", script.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().putAll(env);
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("node " + name + " did not finish in " + timeout + "; stderr: "
                            + Files.readString(err));
                }
                return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
