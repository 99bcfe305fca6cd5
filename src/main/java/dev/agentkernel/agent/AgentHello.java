package dev.agentkernel.agent;

import java.util.List;

/**
 * What the agent said about itself in answer to {@code hello}: its protocol version, its own version and the
 * features it has. An agent of version 1 answers {@code hello} with an error; it is then {@link #VERSION_1}.
 */
public record AgentHello(int protocol, String agentVersion, List<String> features) {
    public static final AgentHello VERSION_1 = new AgentHello(1, "unknown (protocol 1)", List.of());

    public AgentHello {
        features = List.copyOf(features);
    }

    public boolean has(String feature) {
        return features.contains(feature);
    }
}
