package dev.agentkernel.net;

import dev.agentkernel.errors.UserInputException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a user asked of a sandbox's network, checked: the mode, the allowlist, published ports, whether the
 * host's own addresses are off limits, the guest's resolvers and hostname. {@code requested} says whether any
 * network option was given at all (a backend without networking may then quietly run without one).
 * Plain values, so a sandbox record can keep them and {@code start} can plan the same network again.
 */
public record NetworkOptions(NetworkMode mode, List<HostPattern> allowHosts, List<PortMapping> publish,
                             boolean noHostAccess, List<String> dns, String hostname, boolean requested) {
    /** resolv.conf readers take three servers. */
    public static final int MAX_DNS = 3;
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public NetworkOptions {
        allowHosts = List.copyOf(allowHosts);
        publish = List.copyOf(publish);
        dns = List.copyOf(dns);
        if (mode == null) {
            throw new IllegalArgumentException("mode");
        }
        check(mode, allowHosts, publish, dns, hostname);
    }

    /** No network at all (what a sandbox had before networking existed). */
    public static NetworkOptions none() {
        return new NetworkOptions(NetworkMode.NONE, List.of(), List.of(), false, List.of(), null, false);
    }

    /** The default: user-mode NAT, nothing published. */
    public static NetworkOptions defaults() {
        return new NetworkOptions(NetworkMode.DEFAULT, List.of(), List.of(), false, List.of(), null, false);
    }

    /**
     * Reads the command-line options: {@code --no-network}, {@code --network none|default|allow:NAME,...},
     * {@code --allow-host NAME} (repeatable), {@code -p SPEC} (repeatable), {@code --no-host-access},
     * {@code --dns IP} (repeatable). Any of them may be null or empty.
     */
    public static NetworkOptions parse(boolean noNetwork, String network, List<String> allowHost, List<String> publish,
                                       boolean noHostAccess, List<String> dns) {
        List<String> allow = allowHost == null ? List.of() : allowHost;
        List<String> ports = publish == null ? List.of() : publish;
        List<String> servers = dns == null ? List.of() : dns;
        boolean requested = noNetwork || network != null || !allow.isEmpty() || !ports.isEmpty() || noHostAccess
                || !servers.isEmpty();
        NetworkMode mode = NetworkMode.DEFAULT;
        LinkedHashSet<HostPattern> patterns = new LinkedHashSet<>();
        if (network != null) {
            String n = network.trim();
            if (n.equalsIgnoreCase("none")) {
                mode = NetworkMode.NONE;
            } else if (n.equalsIgnoreCase("default")) {
                mode = NetworkMode.DEFAULT;
            } else if (n.toLowerCase(Locale.ROOT).startsWith("allow:")) {
                mode = NetworkMode.ALLOWLIST;
                for (String name : n.substring(6).split(",", -1)) {
                    patterns.add(HostPattern.parse(name));
                }
            } else {
                throw new UserInputException("--network expects none, default or allow:NAME[,NAME...], not '" + network + "'");
            }
        }
        if (noNetwork) {
            if (network != null && mode != NetworkMode.NONE) {
                throw new UserInputException("--no-network contradicts --network " + network);
            }
            mode = NetworkMode.NONE;
        }
        if (!allow.isEmpty()) {
            if (mode == NetworkMode.NONE) {
                throw new UserInputException("--allow-host needs a network: drop --no-network (or --network none)");
            }
            if (network != null && mode == NetworkMode.DEFAULT) {
                throw new UserInputException("--allow-host contradicts --network default");
            }
            mode = NetworkMode.ALLOWLIST;
            allow.forEach(a -> patterns.add(HostPattern.parse(a)));
        }
        List<PortMapping> mappings = new ArrayList<>();
        ports.forEach(p -> mappings.add(PortMapping.parse(p)));
        return new NetworkOptions(mode, List.copyOf(patterns), mappings, noHostAccess, servers, null, requested);
    }

    private static void check(NetworkMode mode, List<HostPattern> allowHosts, List<PortMapping> publish, List<String> dns,
                              String hostname) {
        if (mode == NetworkMode.ALLOWLIST && allowHosts.isEmpty()) {
            throw new UserInputException("an allowlist network needs at least one --allow-host NAME");
        }
        if (mode != NetworkMode.ALLOWLIST && !allowHosts.isEmpty()) {
            throw new IllegalArgumentException("allowed hosts without the allowlist mode");
        }
        if (mode == NetworkMode.NONE && !publish.isEmpty()) {
            throw new UserInputException("-p needs a network: drop --no-network (or --network none)");
        }
        if (mode == NetworkMode.NONE && !dns.isEmpty()) {
            throw new UserInputException("--dns needs a network: drop --no-network (or --network none)");
        }
        Set<String> taken = new HashSet<>();
        for (PortMapping p : publish) {
            if (mode == NetworkMode.ALLOWLIST && p.protocol() == PortMapping.Protocol.UDP) {
                throw new UserInputException("-p " + p.guestPort() + "/udp: UDP ports cannot be published in allowlist mode"
                        + " (its user network drops the guest's datagrams); publish TCP ports, or use the default network");
            }
            if (p.hostPort() != 0 && !taken.add(p.hostIp() + ":" + p.hostPort() + "/" + p.protocol())) {
                throw new UserInputException("-p: " + p.hostIp() + ":" + p.hostPort() + "/" + p.protocol().cliName()
                        + " is published twice");
            }
        }
        if (dns.size() > MAX_DNS) {
            throw new UserInputException("--dns takes at most " + MAX_DNS + " servers");
        }
        for (String server : dns) {
            if (!IPV4.matcher(server).matches()) {
                throw new UserInputException("--dns expects an IPv4 address, not '" + server + "'");
            }
        }
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new UserInputException("the hostname must be 1 to 63 letters, digits and '-', not '" + hostname + "'");
        }
    }

    /** The same options with this guest hostname (a sandbox's name, say). */
    public NetworkOptions withHostname(String name) {
        return new NetworkOptions(mode, allowHosts, publish, noHostAccess, dns, name, requested);
    }

    /** The same options with these (chosen) ports. */
    public NetworkOptions withPublish(List<PortMapping> ports) {
        return new NetworkOptions(mode, allowHosts, ports, noHostAccess, dns, hostname, requested);
    }
}
