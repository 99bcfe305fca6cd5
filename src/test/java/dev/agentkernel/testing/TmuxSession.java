package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for tests: a tmux server of its own (its socket in the test's directory) with one window
 * running a shell command, driven as a person would ({@code send-keys}) and read back ({@code capture-pane}).
 * {@link #close} ends the server by its PID and checks that it is gone.
 */
public final class TmuxSession implements AutoCloseable {
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(10);

    private final Path tmux;
    private final Path socket;
    private final long serverPid;

    private TmuxSession(Path tmux, Path socket, long serverPid) {
        this.tmux = tmux;
        this.socket = socket;
        this.serverPid = serverPid;
    }

    /** Starts a window {@code cols}x{@code rows} running {@code shellCommand} with {@code sh -c}. */
    public static TmuxSession start(Path dir, int cols, int rows, String shellCommand) throws IOException {
        Path tmux = RequiredTools.require("tmux");
        Path socket = dir.resolve("tmux.sock");
        run(tmux, socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", Integer.toString(cols),
                "-y", Integer.toString(rows), shellCommand);
        String pid = run(tmux, socket, "display-message", "-p", "-t", "t", "#{pid}").trim();
        return new TmuxSession(tmux, socket, Long.parseLong(pid));
    }

    /** A script that runs this JVM's agentkernel command line (the test class path) on {@code home}. */
    public static Path agentkernelLauncher(Path dir, Path home) throws IOException {
        Path script = dir.resolve("agentkernel");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\nAGENTKERNEL_HOME='" + home + "' exec '" + java + "' -cp '"
                + System.getProperty("java.class.path") + "' dev.agentkernel.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Types keys: literal text, or tmux key names such as {@code Enter} and {@code C-c}. */
    public void sendKeys(String... keys) throws IOException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
        args.addAll(List.of(keys));
        run(tmux, socket, args.toArray(String[]::new));
    }

    public void resize(int cols, int rows) throws IOException {
        run(tmux, socket, "resize-window", "-t", "t", "-x", Integer.toString(cols), "-y", Integer.toString(rows));
    }

    /** What the window shows now, its trailing empty lines dropped. */
    public String screen() throws IOException {
        return run(tmux, socket, "capture-pane", "-p", "-t", "t").stripTrailing();
    }

    /** Waits until the screen satisfies {@code condition}; fails with the screen after {@code limit}. */
    public String awaitScreen(Predicate<String> condition, Duration limit) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        String screen = screen();
        while (!condition.test(screen)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the terminal did not show what was expected within " + limit
                        + "; it shows:\n" + screen);
            }
            Thread.sleep(100);
            screen = screen();
        }
        return screen;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroy);
        Instant deadline = Instant.now().plusSeconds(10);
        while (ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false)) {
            if (Instant.now().isAfter(deadline)) {
                ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
                throw new AssertionError("the tmux server " + serverPid + " did not end on SIGTERM");
            }
            Thread.sleep(50);
        }
        Files.deleteIfExists(socket);
    }

    private static String run(Path tmux, Path socket, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(tmux.toString(), "-S", socket.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tmux " + String.join(" ", args) + " did not end within " + COMMAND_LIMIT);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }
}
