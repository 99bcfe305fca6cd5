package dev.agentkernel.agent;

/** Opens fresh connections to one guest's agent (a sandbox's ports; in tests, a new {@code agent --stdio}). */
@FunctionalInterface
public interface AgentConnector {
    /** A new connection, {@code hello} done; closing it frees whatever it holds. */
    AgentConnection open();
}
