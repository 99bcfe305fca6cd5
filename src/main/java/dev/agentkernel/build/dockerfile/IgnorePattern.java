package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code .dockerignore} pattern, matched as the reference matches it: Go's {@code filepath.Match} syntax
 * ({@code *} and {@code ?} never cross a {@code /}, {@code [...]} classes, {@code \} escapes) plus {@code **},
 * which matches any number of directories (none included). Patterns are cleaned like paths ({@code a/./b/} is
 * {@code a/b}) and a leading {@code !} makes the pattern an exception.
 */
public final class IgnorePattern {
    private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

    private static final String REGEX_ONLY_SPECIAL = ".+()|{}$";

    private final String pattern;
    private final boolean exception;
    private final Kind kind;
    private final Pattern regex;

    private IgnorePattern(String pattern, boolean exception) {
        this.pattern = pattern;
        this.exception = exception;
        StringBuilder re = new StringBuilder("^");
        Kind k = Kind.EXACT;
        int n = pattern.length();
        int token = 0;
        for (int i = 0; i < n; token++) {
            char ch = pattern.charAt(i++);
            if (ch == '*') {
                if (i < n && pattern.charAt(i) == '*') {
                    i++;
                    if (i < n && pattern.charAt(i) == '/') {
                        i++;
                    }
                    if (i >= n) {
                        if (k == Kind.EXACT) {
                            k = Kind.PREFIX;
                        } else {
                            re.append(".*");
                            k = Kind.REGEX;
                        }
                    } else {
                        re.append("(.*/)?");
                        k = Kind.REGEX;
                    }
                    if (token == 0) {
                        k = Kind.SUFFIX;
                    }
                } else {
                    re.append("[^/]*");
                    k = Kind.REGEX;
                }
            } else if (ch == '?') {
                re.append("[^/]");
                k = Kind.REGEX;
            } else if (REGEX_ONLY_SPECIAL.indexOf(ch) >= 0) {
                re.append('\\').append(ch);
            } else if (ch == '\\') {
                if (i < n) {
                    re.append(Pattern.quote(String.valueOf(pattern.charAt(i++))));
                    k = Kind.REGEX;
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[' || ch == ']') {
                re.append(ch);
                k = Kind.REGEX;
            } else {
                re.append(ch);
            }
        }
        this.kind = k;
        this.regex = k == Kind.REGEX ? Pattern.compile(re.append('$').toString(), Pattern.DOTALL) : null;
    }

    /**
     * A pattern as a line of {@code .dockerignore} gives it (already trimmed): cleaned, {@code !} taken off.
     * A malformed pattern is an {@link IllegalArgumentException}.
     */
    static IgnorePattern of(String text) {
        String p = cleanPath(text.strip());
        boolean exception = false;
        if (p.startsWith("!")) {
            if (p.length() == 1) {
                throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
            }
            exception = true;
            p = p.substring(1);
        }
        checkSyntax(p);
        try {
            return new IgnorePattern(p, exception);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("syntax error in pattern " + text, e);
        }
    }

    /** The pattern, cleaned, without its {@code !}. */
    public String pattern() {
        return pattern;
    }

    /** Whether the pattern is an exception ({@code !pattern}): it re-includes what earlier patterns excluded. */
    public boolean exception() {
        return exception;
    }

    /** Whether {@code path} (slash-separated, relative to the context) matches the pattern itself. */
    public boolean matches(String path) {
        return switch (kind) {
            case EXACT -> path.equals(pattern);
            case PREFIX -> path.startsWith(pattern.substring(0, pattern.length() - 2));
            case SUFFIX -> {
                String suffix = pattern.substring(2);
                yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
            }
            case REGEX -> regex.matcher(path).matches();
        };
    }

    @Override
    public String toString() {
        return (exception ? "!" : "") + pattern;
    }

    /** Go's {@code filepath.Match} syntax check: classes closed and well formed, no trailing escape. */
    static void checkSyntax(String p) {
        int i = 0;
        int n = p.length();
        while (i < n) {
            char c = p.charAt(i++);
            if (c == '\\') {
                if (i >= n) {
                    throw new IllegalArgumentException("syntax error in pattern: trailing \\ in " + p);
                }
                i++;
            } else if (c == '[') {
                i = checkClass(p, i);
            }
        }
    }

    private static int checkClass(String p, int i) {
        int n = p.length();
        if (i < n && p.charAt(i) == '^') {
            i++;
        }
        int ranges = 0;
        while (true) {
            if (i < n && p.charAt(i) == ']' && ranges > 0) {
                return i + 1;
            }
            i = classChar(p, i);
            if (i < n && p.charAt(i) == '-') {
                i = classChar(p, i + 1);
            }
            ranges++;
        }
    }

    /** One (possibly escaped) character of a class; returns the index after it, which must not be the end. */
    private static int classChar(String p, int i) {
        int n = p.length();
        if (i >= n || p.charAt(i) == '-' || p.charAt(i) == ']') {
            throw new IllegalArgumentException("syntax error in pattern: bad character class in " + p);
        }
        if (p.charAt(i) == '\\') {
            i++;
            if (i >= n) {
                throw new IllegalArgumentException("syntax error in pattern: bad character class in " + p);
            }
        }
        i++;
        if (i >= n) {
            throw new IllegalArgumentException("syntax error in pattern: unclosed character class in " + p);
        }
        return i;
    }

    /** Go's {@code filepath.Clean} on slash paths: {@code ""} is {@code .}; no empty, {@code .} or inner {@code ..}. */
    static String cleanPath(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                } else if (!rooted) {
                    out.add("..");
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
