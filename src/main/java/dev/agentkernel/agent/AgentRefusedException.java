package dev.agentkernel.agent;

import dev.agentkernel.errors.VmException;

/** The guest agent answered a request with an error of its own (no such file, permission denied, ...). */
public final class AgentRefusedException extends VmException {
    public AgentRefusedException(String message) {
        super(message);
    }
}
