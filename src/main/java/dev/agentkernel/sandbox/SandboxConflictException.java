package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;

/** A request that the sandbox's state forbids: a taken name, removing a running one without force, ... */
public final class SandboxConflictException extends UserInputException {
    public SandboxConflictException(String message) {
        super(message);
    }
}
