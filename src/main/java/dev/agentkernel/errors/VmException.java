package dev.agentkernel.errors;

/** A microVM could not be started, did not answer, or its guest agent failed. */
public class VmException extends AgentkernelException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
