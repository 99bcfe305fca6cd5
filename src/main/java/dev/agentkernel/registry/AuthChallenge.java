package dev.agentkernel.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge (RFC 7235): a scheme ({@code Bearer}, {@code Basic}) and its
 * parameters, e.g. {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"}.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
    public AuthChallenge {
        params = Map.copyOf(params);
    }

    /** Parses the first challenge of a header value; empty when the value has no scheme. */
    public static Optional<AuthChallenge> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String s = header.strip();
        int space = s.indexOf(' ');
        String scheme = (space < 0 ? s : s.substring(0, space)).toLowerCase(Locale.ROOT);
        if (scheme.isEmpty() || scheme.contains("=") || scheme.contains(",")) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? s.length() : space + 1;
        while (i < s.length()) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.contains(" ")) {
                break; // the start of a second challenge ("Basic realm=..., Bearer realm=...")
            }
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < s.length()) {
                        c = s.charAt(++i);
                    }
                    value.append(c);
                    i++;
                }
                i++; // closing quote
            } else {
                while (i < s.length() && s.charAt(i) != ',') {
                    value.append(s.charAt(i++));
                }
            }
            params.put(name, value.toString().strip());
        }
        return Optional.of(new AuthChallenge(scheme, params));
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }
}
