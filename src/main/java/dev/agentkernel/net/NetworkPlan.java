package dev.agentkernel.net;

import dev.agentkernel.agent.AgentRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a monitor and a guest need for one sandbox's network, made by {@link Networking#plan}.
 *
 * @param monitorEnvironment added to the monitor's environment (the policy library preloaded into QEMU in the
 *                           default mode; empty otherwise)
 * @param qemuArguments      added to QEMU's arguments ({@code -netdev}/{@code -device}; empty: no interface)
 * @param guest              what the agent is asked to configure once it answers ({@link Networking#configureGuest})
 * @param published          the published ports, with their chosen host ports
 * @param log                the sandbox's network log (each refusal, with the name or address asked for)
 * @param policyMark         the file the policy library writes when QEMU loaded it; null unless the default mode
 * There is no helper process: the NAT and its policy run inside QEMU, and the allowlist proxy is one short
 * process per connection that QEMU starts and that ends with its connection.
 */
public record NetworkPlan(NetworkMode mode, Map<String, String> monitorEnvironment, List<String> qemuArguments,
                          AgentRequest.NetConfig guest, List<PortMapping> published, Path log, Path policyMark) {
    public NetworkPlan {
        monitorEnvironment = Map.copyOf(monitorEnvironment);
        qemuArguments = List.copyOf(qemuArguments);
        published = List.copyOf(published);
    }

    /** A QEMU argument vector with this network's devices added. */
    public List<String> applyTo(List<String> qemuArgv) {
        List<String> argv = new ArrayList<>(qemuArgv);
        argv.addAll(qemuArguments);
        return argv;
    }
}
