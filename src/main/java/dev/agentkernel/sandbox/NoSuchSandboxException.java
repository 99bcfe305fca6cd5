package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;

/** The named sandbox does not exist (the HTTP API answers 404 for it). */
public final class NoSuchSandboxException extends UserInputException {
    public NoSuchSandboxException(SandboxName name) {
        super("no sandbox named '" + name + "' (see agentkernel list)");
    }

    /** With a message of the caller's, for a sandbox looked up by something other than its name. */
    public NoSuchSandboxException(String message) {
        super(message);
    }
}
