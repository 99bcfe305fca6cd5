package dev.agentkernel.net;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published port, as {@code -p} takes it: {@code [HOST_IP:][HOST_PORT:]GUEST_PORT[/tcp|/udp]}. The host
 * side binds {@value #DEFAULT_HOST_IP} unless an address is given; host port 0 (or none, or
 * {@code HOST_IP::GUEST_PORT}) means a free one is chosen before boot.
 */
public record PortMapping(String hostIp, int hostPort, int guestPort, Protocol protocol) {
    public static final String DEFAULT_HOST_IP = "127.0.0.1";

    private static final Pattern FORM = Pattern.compile(
            "(?:(?<ip>\\d{1,3}(?:\\.\\d{1,3}){3}):)?(?:(?<host>\\d*):)?(?<guest>\\d+)(?:/(?<proto>[A-Za-z]+))?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** The transport of a published port. */
    public enum Protocol {
        TCP, UDP;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PortMapping {
        if (!IPV4.matcher(hostIp).matches() || hostPort < 0 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("not a port mapping: " + hostIp + ":" + hostPort + ":" + guestPort);
        }
    }

    @JsonCreator
    public static PortMapping parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw bad(text, "expected [HOST_IP:][HOST_PORT:]GUEST_PORT[/tcp|/udp]");
        }
        String ip = m.group("ip") == null ? DEFAULT_HOST_IP : m.group("ip");
        if (!IPV4.matcher(ip).matches()) {
            throw bad(text, ip + " is not an IPv4 address");
        }
        String host = m.group("host");
        int hostPort = host == null || host.isEmpty() ? 0 : port(text, host, 0);
        int guestPort = port(text, m.group("guest"), 1);
        Protocol protocol = Protocol.TCP;
        if (m.group("proto") != null) {
            try {
                protocol = Protocol.valueOf(m.group("proto").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad(text, "the protocol is tcp or udp, not " + m.group("proto"));
            }
        }
        return new PortMapping(ip, hostPort, guestPort, protocol);
    }

    private static int port(String text, String digits, int min) {
        int value;
        try {
            value = digits.length() > 5 ? -1 : Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < min || value > 65535) {
            throw bad(text, "ports are " + min + " to 65535, not " + digits);
        }
        return value;
    }

    private static UserInputException bad(String text, String why) {
        return new UserInputException("-p " + text + ": " + why);
    }

    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, guestPort, protocol);
    }

    /** The form {@link #parse} reads back, e.g. {@code 127.0.0.1:8080:8000/tcp}. */
    @JsonValue
    public String spec() {
        return hostIp + ":" + hostPort + ":" + guestPort + "/" + protocol.cliName();
    }

    /** How the mapping is shown: {@code 127.0.0.1:8080 -> 8000/tcp}. */
    @Override
    public String toString() {
        return hostIp + ":" + hostPort + " -> " + guestPort + "/" + protocol.cliName();
    }
}
