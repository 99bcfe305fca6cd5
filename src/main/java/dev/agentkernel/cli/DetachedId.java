package dev.agentkernel.cli;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxName;

/** A detached command's id on the command line: the number {@code exec -d} printed, or {@code NAME:N} as the MCP tools give it. */
final class DetachedId {
    private DetachedId() {
    }

    static long parse(SandboxName sandbox, String id) {
        String number = id;
        int colon = id.lastIndexOf(':');
        if (colon >= 0) {
            if (!id.substring(0, colon).equals(sandbox.value())) {
                throw new UserInputException("detached command id '" + Quote.escape(id, Quote.MAX_CHARS)
                        + "' belongs to another sandbox than '" + sandbox + "'");
            }
            number = id.substring(colon + 1);
        }
        try {
            long session = Long.parseLong(number);
            if (session > 0 && number.matches("[0-9]{1,18}")) {
                return session;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new UserInputException("bad detached command id '" + Quote.escape(id, Quote.MAX_CHARS)
                + "': the number exec -d printed");
    }
}
