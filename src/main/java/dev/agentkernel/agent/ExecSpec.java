package dev.agentkernel.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command for {@code exec} (docs/PROTOCOL.md). {@code cwd} null: the agent's default {@code /};
 * {@code env} is added to the agent's own environment; {@code user} null: root; {@code rows}/{@code cols} the
 * terminal's size with {@code tty}; {@code stdin} whether the host sends stdin (with {@code tty} it always
 * may); {@code timeoutMs} 0: none, else the agent kills the process group after it; {@code detach} the command
 * runs on without this connection, its output in logs.
 */
public record ExecSpec(List<String> command, String cwd, Map<String, String> env, String user, boolean tty, int rows,
                       int cols, boolean stdin, long timeoutMs, boolean detach) {
    public static final int DEFAULT_ROWS = 24;
    public static final int DEFAULT_COLS = 80;
    /** The agent's bound on {@code timeout_ms}. */
    public static final long MAX_TIMEOUT_MS = 1L << 40;

    public ExecSpec {
        command = List.copyOf(command);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env == null ? Map.of() : env));
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its program name");
        }
        command.forEach(arg -> requireNoNul(arg, "an argument"));
        env.forEach((k, v) -> {
            if (k.isEmpty() || k.indexOf('=') >= 0) {
                throw new IllegalArgumentException("environment variable name '" + k + "' is empty or has '='");
            }
            requireNoNul(k, "an environment variable's name");
            requireNoNul(v, "an environment variable's value");
        });
        if (cwd != null) {
            requireNoNul(cwd, "the working directory");
        }
        if (user != null) {
            requireNoNul(user, "the user");
        }
        if (rows < 1 || rows > 65535 || cols < 1 || cols > 65535) {
            throw new IllegalArgumentException("a terminal has 1 to 65535 rows and columns, not " + rows + "x" + cols);
        }
        if (timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException("the timeout is 0 (none) to " + MAX_TIMEOUT_MS + " ms");
        }
    }

    /** The command with the defaults: {@code /}, no extra environment, root, pipes, no stdin, no timeout. */
    public static ExecSpec of(List<String> command) {
        return new ExecSpec(command, null, Map.of(), null, false, DEFAULT_ROWS, DEFAULT_COLS, false, 0, false);
    }

    public ExecSpec withCwd(String dir) {
        return new ExecSpec(command, dir, env, user, tty, rows, cols, stdin, timeoutMs, detach);
    }

    public ExecSpec withEnv(Map<String, String> variables) {
        return new ExecSpec(command, cwd, variables, user, tty, rows, cols, stdin, timeoutMs, detach);
    }

    public ExecSpec withUser(String name) {
        return new ExecSpec(command, cwd, env, name, tty, rows, cols, stdin, timeoutMs, detach);
    }

    public ExecSpec withTty(int terminalRows, int terminalCols) {
        return new ExecSpec(command, cwd, env, user, true, terminalRows, terminalCols, stdin, timeoutMs, detach);
    }

    public ExecSpec withStdin() {
        return new ExecSpec(command, cwd, env, user, tty, rows, cols, true, timeoutMs, detach);
    }

    public ExecSpec withTimeoutMs(long ms) {
        return new ExecSpec(command, cwd, env, user, tty, rows, cols, stdin, ms, detach);
    }

    public ExecSpec detached() {
        return new ExecSpec(command, cwd, env, user, tty, rows, cols, false, timeoutMs, true);
    }

    /** Whether the host may send stdin. */
    public boolean takesStdin() {
        return (stdin || tty) && !detach;
    }

    private static void requireNoNul(String s, String what) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " holds a NUL character");
        }
    }
}
