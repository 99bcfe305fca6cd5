package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;

/** A file is over what one read or write of {@link SandboxFiles} carries (the HTTP API answers 413). */
public final class FileTooLargeException extends UserInputException {
    public FileTooLargeException(String message) {
        super(message);
    }
}
