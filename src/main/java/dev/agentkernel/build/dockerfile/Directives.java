package dev.agentkernel.build.dockerfile;

import java.util.Optional;

/**
 * The parser directives at the top of a Dockerfile. {@code escape} changes the escape and line-continuation
 * character; {@code syntax} (a frontend image) and {@code check} (lint configuration) are kept but do not change
 * how the file is parsed: this builder has one frontend of its own.
 */
public record Directives(char escape, Optional<String> syntax, Optional<String> check) {
    public static final Directives DEFAULT = new Directives('\\', Optional.empty(), Optional.empty());

    public Directives {
        if (escape != '\\' && escape != '`') {
            throw new IllegalArgumentException("escape must be \\ or `");
        }
    }
}
