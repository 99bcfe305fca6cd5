package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;

/**
 * The agent's response to one request, checked: its id matched the request, and it carries an
 * {@code exit_code} (0 to 255), an {@code error}, or both. The other fields are read through {@link #body}.
 */
record Reply(String id, String type, WireObject body, Integer exitCode, String error) {
    static Reply of(String id, String type, WireObject body) {
        Integer exitCode = body.has("exit_code") ? (int) body.integer("exit_code", 0, 255) : null;
        String error = body.optText("error");
        if (exitCode == null && error == null) {
            throw new AgentProtocolException("in " + body.what() + ", neither 'exit_code' nor 'error' is given");
        }
        return new Reply(id, type, body, exitCode, error);
    }

    boolean isError() {
        return error != null;
    }

    /** The guest's error message, escaped and bounded for showing. */
    String quotedError() {
        return Quote.escape(error, 400);
    }
}
