package dev.agentkernel.registry;

import dev.agentkernel.errors.AgentkernelException;

/** A registry refused a request, answered with something unusable, or could not be reached. */
public class RegistryException extends AgentkernelException {
    private final int status;

    public RegistryException(String message) {
        this(message, 0, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    public RegistryException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status that caused this error, or 0 when there was none (connection failures). */
    public int status() {
        return status;
    }
}
