package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;

/** The guest refused a file operation: no such file, a directory, permission denied (the HTTP API: 404 on reads). */
public final class GuestFileException extends UserInputException {
    public GuestFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
