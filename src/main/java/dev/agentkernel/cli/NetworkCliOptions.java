package dev.agentkernel.cli;

import dev.agentkernel.net.NetworkOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** The network options {@code create} and {@code run} share (a picocli mixin); checked by {@link NetworkOptions#parse}. */
final class NetworkCliOptions {
    @Option(names = "--no-network", description = "No network at all: the guest has loopback only.")
    boolean noNetwork;

    @Option(names = "--network", paramLabel = "none|default|allow:NAME[,NAME...]",
            description = "The network mode (default: outbound NAT).")
    String network;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "Allow only connections to this host (repeatable; *.example.com for every name under it);"
                    + " HTTPS by TLS SNI or CONNECT, HTTP by Host, checked on the host.")
    List<String> allowHosts = List.of();

    @Option(names = {"-p", "--publish"}, paramLabel = "[HOST_IP:]HOST_PORT:GUEST_PORT[/udp]",
            description = "Publish a guest port on the host (repeatable; 127.0.0.1 unless HOST_IP; -p GUEST_PORT"
                    + " picks a free host port).")
    List<String> publish = List.of();

    @Option(names = "--no-host-access", description = "Also refuse the host's own non-loopback addresses.")
    boolean noHostAccess;

    @Option(names = "--dns", paramLabel = "IP", description = "The guest's DNS server (repeatable, up to 3).")
    List<String> dns = List.of();

    NetworkOptions options() {
        return NetworkOptions.parse(noNetwork, network, allowHosts, publish, noHostAccess, dns);
    }
}
