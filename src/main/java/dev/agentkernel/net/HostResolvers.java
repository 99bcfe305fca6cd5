package dev.agentkernel.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's DNS servers a guest can use directly: the IPv4 {@code nameserver}s of {@code /etc/resolv.conf}
 * that are not on loopback (the guest must never reach the host's loopback); when there are none, as under
 * systemd-resolved (127.0.0.53), the upstream servers it lists in {@code /run/systemd/resolve/resolv.conf}.
 */
final class HostResolvers {
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    static final Path SYSTEMD_RESOLV_CONF = Path.of("/run/systemd/resolve/resolv.conf");

    private HostResolvers() {
    }

    static List<String> usable() {
        List<String> servers = usable(read(RESOLV_CONF));
        return servers.isEmpty() ? usable(read(SYSTEMD_RESOLV_CONF)) : servers;
    }

    /** The non-loopback IPv4 name servers of a resolv.conf text, in order, at most three. */
    static List<String> usable(String resolvConf) {
        List<String> servers = new ArrayList<>();
        for (String line : resolvConf.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && isIpv4(words[1]) && !words[1].startsWith("127.")
                    && !words[1].startsWith("0.") && servers.size() < NetworkOptions.MAX_DNS && !servers.contains(words[1])) {
                servers.add(words[1]);
            }
        }
        return servers;
    }

    private static boolean isIpv4(String s) {
        return s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) < (1 << 20) ? Files.readString(file) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
