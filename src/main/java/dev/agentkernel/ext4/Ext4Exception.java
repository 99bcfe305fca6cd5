package dev.agentkernel.ext4;

/** A failure of the ext4 writer with a message written for the user (the rootfs converter wraps it). */
public class Ext4Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Ext4Exception(String message) {
        super(message);
    }

    public Ext4Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
