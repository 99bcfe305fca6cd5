package dev.agentkernel.sandbox;

import dev.agentkernel.errors.VmException;

/** The sandbox went away (rm -f) while a command or a file operation used it: a race, not a broken VM (HTTP 409). */
public final class SandboxRemovedException extends VmException {
    public SandboxRemovedException(String message, Throwable cause) {
        super(message, cause);
    }
}
