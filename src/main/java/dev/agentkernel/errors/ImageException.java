package dev.agentkernel.errors;

/** An image is unreadable, corrupt, incomplete or unsupported (bad manifest, digest mismatch, broken layer). */
public class ImageException extends AgentkernelException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
