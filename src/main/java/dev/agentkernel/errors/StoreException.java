package dev.agentkernel.errors;

/** The data directory could not be read or written (permissions, full disk, corrupt entries). */
public class StoreException extends AgentkernelException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
