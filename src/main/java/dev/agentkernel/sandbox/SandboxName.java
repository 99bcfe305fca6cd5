package dev.agentkernel.sandbox;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.util.regex.Pattern;

/** A sandbox's name as agentkernel validates it: 1-63 of [A-Za-z0-9_-], starting and ending with a letter or digit. */
public record SandboxName(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?");

    public SandboxName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new UserInputException("bad sandbox name " + Quote.name(value) + ": use 1-63 letters,"
                    + " digits, '-' or '_', starting and ending with a letter or digit");
        }
    }

    public static SandboxName of(String value) {
        return new SandboxName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
