package dev.agentkernel.agent;

import dev.agentkernel.errors.UserInputException;

/** The agent refused a path of the guest: it does not exist, is not a directory, cannot be read or written. */
public final class GuestPathException extends UserInputException {
    private final String guestError;

    GuestPathException(String message, String guestError) {
        super(message);
        this.guestError = guestError;
    }

    /** The agent's own words (from strerror), for telling a missing path from other refusals. */
    public String guestError() {
        return guestError;
    }

    /** Whether the path (or a directory on its way) does not exist. */
    public boolean notFound() {
        return guestError != null && guestError.contains("No such file or directory");
    }
}
