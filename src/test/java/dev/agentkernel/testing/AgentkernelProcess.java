package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code agentkernel} command line in a JVM of its own, started and left running, for tests that signal or
 * kill it as a user's terminal or a supervisor would. Its output goes to files beside the data directory.
 */
public final class AgentkernelProcess implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private AgentkernelProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    public static AgentkernelProcess start(Path home, String... args) throws IOException {
        return startWithInput(home, Path.of("/dev/null"), args);
    }

    /** As {@link #start}, its stdin read from {@code stdin}. */
    public static AgentkernelProcess startWithInput(Path home, Path stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.agentkernel.cli.Main"));
        command.addAll(List.of(args));
        Files.createDirectories(home.getParent());
        Path out = Files.createTempFile(home.getParent(), "out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()));
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        return new AgentkernelProcess(pb.start(), out, err);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name ({@code TERM}, {@code INT}, {@code KILL}) with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Waits for the JVM to end; its exit code, or fails the test after {@code limit}. */
    public int waitFor(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("agentkernel (pid " + process.pid() + ") did not end within " + limit);
        }
        return process.exitValue();
    }

    public String out() throws IOException {
        return Files.readString(out);
    }

    public String err() throws IOException {
        return Files.readString(err);
    }

    /** Kills the JVM (not what it left running: the tests check that). */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
