package dev.agentkernel.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's user network (libslirp) as every mode but {@code none} uses it: the guest is {@value #GUEST} in
 * {@value #NETWORK}, its gateway {@value #GATEWAY}; IPv6 is off. Published ports are {@code hostfwd}s; in the
 * allowlist mode the network is {@code restrict=on} (the guest reaches nothing but the {@code guestfwd}s, and
 * is answered with a reset at once) and each {@code guestfwd} on {@value #PROXY} starts {@code netproxy} per
 * connection: port {@value #PROXY_PORT} the HTTP proxy, 80 plain HTTP by Host, 443 TLS by SNI.
 */
final class SlirpNetwork {
    static final String NETWORK = "10.0.2.0/24";
    static final String GUEST = "10.0.2.15";
    static final int PREFIX = 24;
    static final String GATEWAY = "10.0.2.2";
    static final String PROXY = "10.0.2.100";
    static final int PROXY_PORT = 3128;
    static final int MTU = 1500;
    static final String MAC = "52:54:00:12:34:56";

    private SlirpNetwork() {
    }

    /** The allowlist proxy's command line for one of its modes. */
    record Proxy(Path program, Path log, Path slots, List<HostPattern> allow, List<String> dns) {
        String commandLine(String mode) {
            StringBuilder cmd = new StringBuilder(shellQuote(program.toString()))
                    .append(" --mode ").append(mode)
                    .append(" --log ").append(shellQuote(log.toString()))
                    .append(" --slots ").append(shellQuote(slots.toString()));
            allow.forEach(p -> cmd.append(" --allow ").append(shellQuote(p.text())));
            dns.forEach(d -> cmd.append(" --dns ").append(d));
            return cmd.toString();
        }
    }

    /** The {@code -netdev} and {@code -device} arguments; {@code proxy} null for NAT without restriction. */
    static List<String> qemuArguments(List<PortMapping> published, Proxy proxy) {
        StringBuilder netdev = new StringBuilder("user,id=net0,ipv4=on,ipv6=off,net=" + NETWORK + ",host=" + GATEWAY
                + ",dhcpstart=" + GUEST);
        if (proxy != null) {
            netdev.append(",restrict=on");
        }
        for (PortMapping p : published) {
            netdev.append(",hostfwd=").append(p.protocol().cliName()).append(':').append(p.hostIp()).append(':')
                    .append(p.hostPort()).append('-').append(GUEST).append(':').append(p.guestPort());
        }
        if (proxy != null) {
            forward(netdev, PROXY_PORT, proxy.commandLine("proxy"));
            forward(netdev, 80, proxy.commandLine("http"));
            forward(netdev, 443, proxy.commandLine("tls"));
        }
        return List.of("-netdev", netdev.toString(), "-device", "virtio-net-device,netdev=net0,mac=" + MAC);
    }

    private static void forward(StringBuilder netdev, int port, String command) {
        netdev.append(",guestfwd=tcp:").append(PROXY).append(':').append(port).append("-cmd:").append(optionValue(command));
    }

    /** A value inside a QEMU option list: a comma is written twice. */
    static String optionValue(String value) {
        return value.replace(",", ",,");
    }

    /** One word for the command parser libslirp uses (g_shell_parse_argv): single quotes. */
    static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The proxy environment every command of an allowlist sandbox gets (curl, pip, npm, git, apt read it). */
    static List<String[]> proxyEnvironment() {
        String url = "http://" + PROXY + ":" + PROXY_PORT;
        String none = "localhost,127.0.0.1,::1";
        List<String[]> env = new ArrayList<>();
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.add(new String[] {name, url});
        }
        env.add(new String[] {"NO_PROXY", none});
        env.add(new String[] {"no_proxy", none});
        return env;
    }
}
