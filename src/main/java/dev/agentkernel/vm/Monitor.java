package dev.agentkernel.vm;

import dev.agentkernel.agent.AgentTransport;

import java.util.List;

/** A virtual machine monitor: how to start a microVM from a {@link VmSpec} and how to reach its agent. */
public interface Monitor {
    /** The program's argument vector for this VM (files it needs are written into the sandbox directory first). */
    List<String> command(VmSpec spec);

    /** How the host reaches the agent of a VM started by {@link #command}. */
    AgentTransport transport(VmSpec spec);
}
