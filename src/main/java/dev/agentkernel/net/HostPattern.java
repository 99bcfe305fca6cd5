package dev.agentkernel.net;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of a network allowlist: a host name ({@code allowed.test}), a wildcard for every name under a
 * domain ({@code *.example.com}, which does not match {@code example.com} itself), or an IPv4 address, which
 * matches only a request for that very address. Kept lower-case, without a trailing dot.
 */
public record HostPattern(String text) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    public HostPattern {
        if (!valid(text)) {
            throw new IllegalArgumentException("not a host pattern: " + text);
        }
    }

    /** Parses what a user wrote, with a message naming the option when it is not a pattern. */
    @JsonCreator
    public static HostPattern parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith(".") && !t.equals(".")) {
            t = t.substring(0, t.length() - 1);
        }
        if (!valid(t)) {
            throw new UserInputException("--allow-host expects a host name, *.DOMAIN or an IPv4 address, not '"
                    + text + "'" + (t.contains(":") ? " (IPv6 addresses and ports are not supported)" : ""));
        }
        return new HostPattern(t);
    }

    @JsonValue
    @Override
    public String text() {
        return text;
    }

    public boolean isWildcard() {
        return text.startsWith("*.");
    }

    public boolean isAddress() {
        return IPV4.matcher(text).matches();
    }

    /** Whether a request for {@code host} (as the guest named it) passes this entry; the proxy's rule too. */
    public boolean matches(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return isWildcard() ? h.endsWith(text.substring(1)) && h.length() > text.length() - 1 : h.equals(text);
    }

    private static boolean valid(String t) {
        if (t == null || t.isEmpty() || t.length() > 253) {
            return false;
        }
        if (IPV4.matcher(t).matches()) {
            return true;
        }
        String name = t.startsWith("*.") ? t.substring(2) : t;
        if (name.isEmpty()) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
