package dev.agentkernel.build.dockerfile;

import java.util.List;

/**
 * The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD. The exec form is the JSON array's strings; the shell
 * form is one string, run through the stage's SHELL (by default {@code /bin/sh -c}).
 */
public record CommandLine(List<String> args, boolean shellForm) {
    public CommandLine {
        args = List.copyOf(args);
        if (shellForm && args.size() > 1) {
            throw new IllegalArgumentException("a shell-form command is one string");
        }
    }

    static CommandLine shell(String command) {
        return new CommandLine(command.isEmpty() ? List.of() : List.of(command), true);
    }

    static CommandLine exec(List<String> args) {
        return new CommandLine(args, false);
    }

    /** The arguments with {@code shell} in front for the shell form: what the process is started with. */
    public List<String> withShell(List<String> shell) {
        if (!shellForm) {
            return args;
        }
        List<String> out = new java.util.ArrayList<>(shell);
        out.add(String.join(" ", args));
        return List.copyOf(out);
    }
}
