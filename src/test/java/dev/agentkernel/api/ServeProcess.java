package dev.agentkernel.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code agentkernel serve} in a JVM of its own on a free loopback port ({@code -p 0}, the port read from its
 * log), stopped by its PID (SIGTERM, then SIGKILL after a bound).
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final int port;

    private ServeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.agentkernel.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    static ServeProcess start(Path home, Path log, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("serve", "-H", "127.0.0.1", "-p", "0"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(javaCommand(command.toArray(String[]::new)));
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        pb.environment().remove("AGENTKERNEL_API_KEY");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return new ServeProcess(p, log, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                throw new AssertionError("serve exited " + p.exitValue() + ": " + Files.readString(log));
            }
            sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("serve did not start in " + START_TIMEOUT + ": " + Files.readString(log));
    }

    int port() {
        return port;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM by PID, as a service manager stops it; SIGKILL if it has not ended in 20 s. */
    @Override
    public void close() {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
