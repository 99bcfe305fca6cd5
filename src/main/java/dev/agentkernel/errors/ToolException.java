package dev.agentkernel.errors;

/** An outside program (container engine, umoci, qemu, ...) is missing or failed. */
public class ToolException extends AgentkernelException {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
