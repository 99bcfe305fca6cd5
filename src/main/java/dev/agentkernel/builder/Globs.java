package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** COPY source paths: cleaned (no {@code ..} above the root), and Go's {@code filepath.Match} per component. */
final class Globs {
    private Globs() {
    }

    static String cleanRelative(String source, int line, String verb, String root) {
        List<String> parts = new ArrayList<>();
        for (String part : source.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new DockerfileException(line, verb + " failed: " + dev.agentkernel.errors.Quote.name(source)
                            + " is outside the " + root);
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    static Pattern[] compile(String pattern) {
        String[] parts = pattern.split("/");
        Pattern[] out = new Pattern[parts.length];
        for (int i = 0; i < parts.length; i++) {
            StringBuilder re = new StringBuilder();
            String p = parts[i];
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '?') {
                    re.append("[^/]");
                } else if (c == '[') {
                    int end = p.indexOf(']', j + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String cls = p.substring(j + 1, end);
                        re.append('[').append(cls.startsWith("^") || cls.startsWith("!") ? "^" + cls.substring(1) : cls)
                                .append(']');
                        j = end;
                    }
                } else if (c == '\\' && j + 1 < p.length()) {
                    re.append(Pattern.quote(String.valueOf(p.charAt(++j))));
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            out[i] = Pattern.compile(re.toString());
        }
        return out;
    }

    static boolean matches(Pattern[] parts, String path) {
        String[] segments = path.split("/");
        if (parts.length != segments.length) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].matcher(segments[i]).matches()) {
                return false;
            }
        }
        return true;
    }
}
