package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

/**
 * The guest agent broke the protocol: a frame over the limit, a payload that is neither JSON nor a data frame,
 * a field of the wrong type or out of range, an id or session the host did not ask for. The connection it came
 * on is closed; nothing of the frame is trusted.
 */
public final class AgentProtocolException extends VmException {
    public AgentProtocolException(String detail) {
        super("the guest agent misbehaved: " + detail + "; its connection was closed");
    }

    public AgentProtocolException(String detail, Throwable cause) {
        super("the guest agent misbehaved: " + detail + "; its connection was closed", cause);
    }

    /** A field of {@code what} (e.g. "its answer to exec") that is missing, of the wrong type or out of range. */
    static AgentProtocolException field(String what, String field, String problem, JsonNode value) {
        String shown = value == null ? "" : " (it is " + Quote.escape(value.toString(), 60) + ")";
        return new AgentProtocolException("in " + what + ", '" + field + "' " + problem + shown);
    }
}
