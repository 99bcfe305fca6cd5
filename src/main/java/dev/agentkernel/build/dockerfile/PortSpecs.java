package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * EXPOSE's port specs: {@code PORT}, {@code PORT/PROTO}, ranges {@code START-END[/PROTO]} (each port of the range
 * is exposed), and the publish form {@code [IP:][HOSTPORT:]PORT[/PROTO]} of which only the container port counts.
 * The protocol is tcp (the default), udp or sctp.
 */
final class PortSpecs {
    private static final int MAX_RANGE = 65536;

    private PortSpecs() {
    }

    /** The {@code port/proto} entries a spec exposes. */
    static List<String> parse(String spec) {
        String proto = "tcp";
        String port = spec;
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            port = spec.substring(0, slash);
        }
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new IllegalArgumentException("invalid proto: " + proto + " in EXPOSE " + spec);
        }
        int colon = port.lastIndexOf(':');
        if (colon >= 0) {
            port = port.substring(colon + 1);
        }
        int start;
        int end;
        int dash = port.indexOf('-');
        try {
            start = number(dash < 0 ? port : port.substring(0, dash));
            end = dash < 0 ? start : number(port.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid containerPort: " + port + " in EXPOSE " + spec);
        }
        if (end < start) {
            throw new IllegalArgumentException("invalid range specified for container port: " + port);
        }
        if (end - start + 1 > MAX_RANGE) {
            throw new IllegalArgumentException("port range too large: " + port);
        }
        List<String> out = new ArrayList<>();
        for (int p = start; p <= end; p++) {
            out.add(p + "/" + proto);
        }
        return out;
    }

    private static int number(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new NumberFormatException(s);
        }
        int v = Integer.parseInt(s);
        if (v > 65535) {
            throw new NumberFormatException(s);
        }
        return v;
    }
}
