package dev.agentkernel.sandbox;

import java.util.List;
import java.util.Map;

/**
 * A command to run in a sandbox, as {@code exec} takes it: what is not given here comes from the sandbox
 * ({@code -e}/{@code -w} at creation) and then from the image ({@code Env}, {@code WorkingDir}, {@code User}).
 *
 * @param command   the argument vector; empty means the image's {@code Entrypoint} + {@code Cmd}
 * @param user      {@code NAME}, {@code UID}, {@code NAME:GROUP} or {@code UID:GID}; null: the image's
 * @param timeoutMs 0: none
 */
public record ExecRequest(List<String> command, Map<String, String> env, String workdir, String user,
                          boolean tty, boolean stdin, boolean detach, long timeoutMs) {
    public ExecRequest {
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        if (timeoutMs < 0) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
    }

    public static ExecRequest of(List<String> command) {
        return new ExecRequest(command, Map.of(), null, null, false, false, false, 0);
    }
}
