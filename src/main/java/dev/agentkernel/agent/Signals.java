package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Pattern;

/** Signals as the host names them: a name ("TERM", "SIGINT", "RTMIN+1") or a number from 1 to 64. */
public final class Signals {
    private static final Pattern NAME = Pattern.compile("(SIG)?[A-Z][A-Z0-9]{0,11}([+-][0-9]{1,2})?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,2}");

    private Signals() {
    }

    /** Throws {@link IllegalArgumentException} with a message for the user unless {@code signal} has a signal's form. */
    public static void check(String signal) {
        put(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode(), signal);
    }

    /** Puts {@code signal} as the request's {@code signal} field: a number as a number, a name as a string. */
    static void put(ObjectNode request, String signal) {
        if (signal == null) {
            return;
        }
        signal = signal.toUpperCase(java.util.Locale.ROOT);
        if (NUMBER.matcher(signal).matches()) {
            int n = Integer.parseInt(signal);
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("signal " + n + " is not from 1 to 64");
            }
            request.put("signal", n);
        } else if (NAME.matcher(signal).matches()) {
            request.put("signal", signal);
        } else {
            throw new IllegalArgumentException("'" + signal + "' is not a signal name (like TERM or INT) or number");
        }
    }
}
