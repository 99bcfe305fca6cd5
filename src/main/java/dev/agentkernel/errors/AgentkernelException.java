package dev.agentkernel.errors;

/**
 * Base of the errors agentkernel reports to its user. The message is written for the user: it says what
 * happened and, where it can, what to do. The command line prints it alone (with the stack trace under
 * {@code --debug}) and exits with {@link #exitCode()}.
 */
public class AgentkernelException extends RuntimeException {
    public AgentkernelException(String message) {
        super(message);
    }

    public AgentkernelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 2 for bad input from the user, 1 for everything else. */
    public int exitCode() {
        return 1;
    }
}
