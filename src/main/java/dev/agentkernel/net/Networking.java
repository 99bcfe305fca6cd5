package dev.agentkernel.net;

import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentRequest;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry points of sandbox networking. Before the monitor starts: {@link #plan} (ports checked, tools
 * installed in the sandbox directory, the monitor's arguments); once the agent answers and before any
 * command runs: {@link #configureGuest}. Every command's environment gets {@link #commandEnvironment}.
 */
public final class Networking {
    /** The sandbox's network log, in its directory. */
    public static final String LOG_FILE = "network.log";
    static final String POLICY_MARK = "netpolicy.loaded";
    static final String PROXY_SLOTS = "netproxy.slots";
    private static final int MAX_LOG_LINES = 1000;

    private Networking() {
    }

    /**
     * The options with every {@code -p} host port 0 replaced by a free port, every other host port checked
     * free (bad input when taken). Called once at creation: the sandbox keeps the chosen ports.
     */
    public static NetworkOptions reservePorts(NetworkOptions options) {
        NetworkOptions chosen = options.publish().stream().anyMatch(p -> p.hostPort() == 0)
                ? options.withPublish(PublishedPorts.choose(options.publish())) : options;
        PublishedPorts.checkFree(chosen.publish());
        return chosen;
    }

    /**
     * What every command of a sandbox with this network gets in its environment (under the image's, the
     * sandbox's and the command's own variables, which win): the proxy variables in the allowlist mode, so curl,
     * pip, npm, git and apt go through the host's proxy; nothing otherwise.
     */
    public static Map<String, String> commandEnvironment(NetworkOptions options) {
        if (options == null || options.mode() != NetworkMode.ALLOWLIST) {
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        SlirpNetwork.proxyEnvironment().forEach(kv -> env.put(kv[0], kv[1]));
        return env;
    }

    /**
     * Plans the network of the sandbox in {@code sandboxDir}: chooses free ports for {@code -p GUEST_PORT},
     * checks that the others are free (bad input when taken: nothing has started yet), installs the tools the
     * mode needs in the directory and returns what the monitor and the guest need.
     */
    public static NetworkPlan plan(NetworkOptions options, Path sandboxDir) {
        NetworkOptions chosen = reservePorts(options);
        Path log = sandboxDir.resolve(LOG_FILE);
        return switch (chosen.mode()) {
            case NONE -> new NetworkPlan(NetworkMode.NONE, Map.of(), List.of(), guestConfig(chosen), List.of(), log,
                    null);
            case DEFAULT -> natPlan(chosen, sandboxDir, log);
            case ALLOWLIST -> allowlistPlan(chosen, sandboxDir, log);
        };
    }

    private static NetworkPlan natPlan(NetworkOptions options, Path dir, Path log) {
        Path library = NetworkTools.policyLibrary(dir);
        for (Path p : List.of(library, dir)) {
            String s = p.toString();
            if (s.contains(" ") || s.contains(":") || s.contains("=")) {
                throw new UserInputException("the sandbox directory " + dir + " has a space, ':' or '=' in its path,"
                        + " which the dynamic loader's LD_PRELOAD cannot carry: set AGENTKERNEL_HOME to a plainer path");
            }
        }
        Path mark = dir.resolve(POLICY_MARK);
        AtomicFiles.deleteQuietly(mark); // written again by the library when this monitor loads it
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_PRELOAD", library.toString());
        env.put("AGENTKERNEL_NET_POLICY", options.noHostAccess() ? "host" : "loopback");
        // relative to the monitor's working directory, the sandbox directory: they stay right when a pooled
        // sandbox's directory is renamed to its new name under the running monitor
        env.put("AGENTKERNEL_NET_POLICY_MARK", POLICY_MARK);
        env.put("AGENTKERNEL_NET_POLICY_LOG", LOG_FILE);
        return new NetworkPlan(NetworkMode.DEFAULT, env, SlirpNetwork.qemuArguments(options.publish(), null),
                guestConfig(options), options.publish(), log, mark);
    }

    /**
     * What the guest's agent is told about its network in these options (address, routes, resolvers, hostname,
     * hosts entries); no side effect, so it serves a running sandbox too (a pooled one taking its new name).
     */
    public static AgentRequest.NetConfig guestConfig(NetworkOptions options) {
        return switch (options.mode()) {
            case NONE -> AgentRequest.NetConfig.loopbackOnly(options.hostname());
            case DEFAULT -> new AgentRequest.NetConfig(SlirpNetwork.GUEST, SlirpNetwork.PREFIX, SlirpNetwork.GATEWAY,
                    SlirpNetwork.MTU, options.dns().isEmpty() ? HostResolvers.usable() : options.dns(),
                    options.hostname(), List.of());
            case ALLOWLIST -> new AgentRequest.NetConfig(SlirpNetwork.GUEST, SlirpNetwork.PREFIX,
                    SlirpNetwork.GATEWAY, SlirpNetwork.MTU, List.of(), options.hostname(), allowlistHosts(options));
        };
    }

    private static NetworkPlan allowlistPlan(NetworkOptions options, Path dir, Path log) {
        SlirpNetwork.Proxy proxy = new SlirpNetwork.Proxy(NetworkTools.proxy(dir), log, dir.resolve(PROXY_SLOTS),
                options.allowHosts(), options.dns());
        return new NetworkPlan(NetworkMode.ALLOWLIST, Map.of(), SlirpNetwork.qemuArguments(options.publish(), proxy),
                guestConfig(options), options.publish(), log, null);
    }

    /** Exact names resolve to the proxy in the guest, so tools that ignore proxy variables reach them by SNI/Host. */
    private static List<AgentRequest.HostsEntry> allowlistHosts(NetworkOptions options) {
        List<String> names = new ArrayList<>();
        for (HostPattern p : options.allowHosts()) {
            if (!p.isWildcard() && !p.isAddress()) {
                names.add(p.text());
            }
        }
        List<AgentRequest.HostsEntry> hosts = new ArrayList<>();
        for (int i = 0; i < names.size(); i += 16) {
            hosts.add(new AgentRequest.HostsEntry(SlirpNetwork.PROXY, names.subList(i, Math.min(names.size(), i + 16))));
        }
        if (hosts.size() > 64) {
            throw new UserInputException("at most 1024 --allow-host names (wildcards count as none)");
        }
        return hosts;
    }

    /**
     * Configures the guest's network through its agent. In the default mode it first checks that the monitor's
     * own process ({@code monitorPid}) loaded the policy library: without it the guest could reach the host's
     * loopback, so the sandbox must not run.
     */
    public static void configureGuest(AgentClient agent, NetworkPlan plan, long monitorPid) {
        if (plan.policyMark() != null && !policyLoaded(plan.policyMark(), monitorPid)) {
            throw new VmException("QEMU (pid " + monitorPid + ") did not load agentkernel's network policy library ("
                    + plan.policyMark() + " does not name it), so the guest could reach the host's loopback and the"
                    + " sandbox is not started. A statically linked QEMU cannot preload it: use a dynamically linked"
                    + " QEMU, or --no-network, or --allow-host NAME");
        }
        try {
            agent.configureNetwork(plan.guest());
        } catch (VmException e) {
            if (!String.valueOf(e.getMessage()).contains("unknown request type")) {
                throw e;
            }
            if (plan.mode() != NetworkMode.NONE) {
                throw new VmException("the guest agent in this root file system predates networking (it does not know"
                        + " net_config): convert the image again, or pass --no-network", e);
            }
            // no network asked for, and an agent that cannot bring up loopback: the guest runs as it always did
        }
    }

    /**
     * Whether this QEMU loads the policy library the default network needs (for {@code doctor}): runs
     * {@code QEMU --version} with it preloaded in a temporary directory and looks for its mark. Empty when it
     * does; else what is wrong.
     */
    public static java.util.Optional<String> policyProblem(Path qemu) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("agentkernel-netpolicy-probe");
            Path library = NetworkTools.policyLibrary(dir);
            Path mark = dir.resolve(POLICY_MARK);
            dev.agentkernel.process.CommandRunner.Result r = dev.agentkernel.process.CommandRunner.run(List.of("env",
                    "LD_PRELOAD=" + library, "AGENTKERNEL_NET_POLICY=loopback", "AGENTKERNEL_NET_POLICY_MARK=" + mark,
                    qemu.toString(), "--version"), java.time.Duration.ofSeconds(20));
            if (!r.succeeded()) {
                return java.util.Optional.of(qemu + " --version failed: " + r.lastErrorLine());
            }
            boolean loaded = Files.isRegularFile(mark)
                    && Files.readString(mark, StandardCharsets.US_ASCII).matches("\\d+ loopback\n");
            return loaded ? java.util.Optional.empty() : java.util.Optional.of(qemu + " did not load the network policy"
                    + " library (statically linked?): the default network would let the guest reach the host's"
                    + " loopback, so sandboxes need --no-network or --allow-host");
        } catch (IOException | dev.agentkernel.errors.AgentkernelException e) {
            return java.util.Optional.of(e.getMessage());
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a probe directory in the temporary directory is left
                }
            }
        }
    }

    private static boolean policyLoaded(Path mark, long monitorPid) {
        try {
            return Files.isRegularFile(mark) && Files.size(mark) < 100
                    && Files.readString(mark, StandardCharsets.US_ASCII).startsWith(monitorPid + " ");
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of the sandbox's network log (refusals and failed connections), at most 1000. */
    public static List<String> logLines(NetworkPlan plan) {
        if (plan.log() == null || !Files.isRegularFile(plan.log())) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(plan.log(), StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - MAX_LOG_LINES), lines.size());
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
