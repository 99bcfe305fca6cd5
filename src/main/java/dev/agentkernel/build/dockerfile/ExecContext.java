package dev.agentkernel.build.dockerfile;

import java.util.List;

/**
 * What a RUN step runs in, as the reference sets it up: the environment ({@code KEY=value}, the image's ENV
 * followed by the stage's ARGs that no ENV overrides), the working directory ({@code /} when none is set), the
 * user (empty: the image's default, root) and the shell for shell-form commands.
 */
public record ExecContext(List<String> env, String workdir, String user, List<String> shell) {
    public ExecContext {
        env = List.copyOf(env);
        shell = List.copyOf(shell);
    }
}
