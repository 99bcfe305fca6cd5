package dev.agentkernel.registry;

import dev.agentkernel.testing.ExternalCommand;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code agentkernel} command line in a JVM of its own, as a user would, with a data directory and a
 * Docker config folder of the test's, plus environment the test adds (a credential store's, say).
 */
final class AgentkernelJvm {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Path home;
    private final Path dockerConfig;
    final Map<String, String> extraEnv = new HashMap<>();

    AgentkernelJvm(Path home, Path dockerConfig) {
        this.home = home;
        this.dockerConfig = dockerConfig;
    }

    ExternalCommand.Result run(String... args) throws IOException {
        return runWithInput(null, args);
    }

    /** The same, with {@code stdin} (when not null) as standard input instead of /dev/null. */
    ExternalCommand.Result runWithInput(String stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.agentkernel.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("AGENTKERNEL_HOME", home.toString());
        env.put("DOCKER_CONFIG", dockerConfig.toString());
        env.putAll(extraEnv);
        Path out = Files.createTempFile(home.getParent(), "out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "err", ".txt");
        File input = new File("/dev/null");
        if (stdin != null) {
            Path in = Files.createTempFile(home.getParent(), "in", ".txt");
            Files.writeString(in, stdin);
            input = in.toFile();
        }
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(input));
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("agentkernel " + String.join(" ", args) + " did not finish in " + TIMEOUT);
            }
            return new ExternalCommand.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
