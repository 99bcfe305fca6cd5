package dev.agentkernel.build.dockerfile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell patterns of {@code ${NAME#pattern}}, {@code ${NAME%pattern}} and {@code ${NAME/pattern/string}}:
 * {@code *} matches any string, {@code ?} any one character, {@code \} makes {@code *}, {@code ?} and {@code \}
 * literal (and is dropped before {@code }} and {@code /}, which it escapes for the substitution's own syntax).
 * Bracket expressions are not supported, as in the reference implementation: {@code [} is literal.
 */
final class ShellPattern {
    private ShellPattern() {
    }

    /** The pattern as a regular expression; {@code greedy} makes {@code *} match the longest string. */
    static Pattern toRegex(String pattern, boolean greedy, boolean anchored) {
        StringBuilder re = new StringBuilder(pattern.length() + 8);
        if (anchored) {
            re.append('^');
        }
        String star = greedy ? ".*" : ".*?";
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> re.append(star);
                case '?' -> re.append('.');
                case '\\' -> {
                    if (i + 1 < pattern.length() && (pattern.charAt(i + 1) == '}' || pattern.charAt(i + 1) == '/')) {
                        continue;
                    }
                    if (i + 1 >= pattern.length() || "*?\\".indexOf(pattern.charAt(i + 1)) < 0) {
                        throw new IllegalArgumentException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\"
                                + (i + 1 < pattern.length() ? String.valueOf(pattern.charAt(i + 1)) : "") + "'");
                    }
                    re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** {@code value} without its shortest (or longest) prefix matching {@code pattern}. */
    static String trimPrefix(String value, String pattern, boolean longest) {
        Matcher m = toRegex(pattern, longest, true).matcher(value);
        return m.lookingAt() ? value.substring(m.end()) : value;
    }

    /** {@code value} without its shortest (or longest) suffix matching {@code pattern}. */
    static String trimSuffix(String value, String pattern, boolean longest) {
        String reversed = new StringBuilder(value).reverse().toString();
        Matcher m = toRegex(reversePattern(pattern), longest, true).matcher(reversed);
        if (!m.lookingAt()) {
            return value;
        }
        return value.substring(0, value.length() - m.end());
    }

    /** The pattern read backwards, escapes kept in front of the character they escape. */
    static String reversePattern(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length());
        for (int i = pattern.length() - 1; i >= 0; i--) {
            char c = pattern.charAt(i);
            if (i > 0 && pattern.charAt(i - 1) == '\\' && !(i > 1 && pattern.charAt(i - 2) == '\\')) {
                out.append('\\').append(c);
                i--;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
