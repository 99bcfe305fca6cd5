package dev.agentkernel.errors;

/** The user asked for something malformed or impossible: a bad name, a missing file, a wrong option. */
public class UserInputException extends AgentkernelException {
    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 2;
    }
}
