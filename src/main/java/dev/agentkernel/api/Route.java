package dev.agentkernel.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A method and a path pattern ({@code /sandboxes/{name}/exec}; a last segment {@code **} takes the rest of the
 * path, which may be empty) with what answers it.
 */
record Route(String method, List<String> pattern, Function<Call, Reply> action) {
    static Route of(String method, String path, Function<Call, Reply> action) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return new Route(method, List.copyOf(parts), action);
    }

    /** The path parameters when {@code segments} match the pattern (any method), else null. */
    Map<String, String> match(List<String> segments) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (p.equals("**")) {
                return params;
            }
            if (i >= segments.size()) {
                return null;
            }
            String s = segments.get(i);
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), s);
            } else if (!p.equals(s)) {
                return null;
            }
        }
        return segments.size() == pattern.size() ? params : null;
    }

    /** How many leading segments are the pattern's own (what a trailing {@code **} leaves to the route). */
    int fixedSegments() {
        return pattern.isEmpty() || !pattern.get(pattern.size() - 1).equals("**") ? pattern.size() : pattern.size() - 1;
    }
}
