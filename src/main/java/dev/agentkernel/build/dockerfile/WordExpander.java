package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * The Dockerfile's variable substitution and quote removal, which mimics a POSIX shell's word expansion for the
 * instructions the builder expands itself (ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR,
 * ARG values, RUN --mount values).
 *
 * <p>Supported: {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}}, {@code ${NAME-word}}, {@code ${NAME:+word}},
 * {@code ${NAME+word}}, {@code ${NAME:?word}}, {@code ${NAME?word}}, {@code ${NAME#pattern}},
 * {@code ${NAME##pattern}}, {@code ${NAME%pattern}}, {@code ${NAME%%pattern}}, {@code ${NAME/pattern/replacement}}
 * and {@code ${NAME//pattern/replacement}}; the words nest ({@code ${A:-${B:-c}}}). Single quotes keep everything
 * literal; double quotes keep everything but {@code $} and the escape character, which there only escapes
 * {@code "}, {@code $} and itself; outside quotes the escape character makes the next character literal. A
 * {@code $} not followed by a name stays a {@code $}. An unset variable expands to nothing.
 *
 * <p>An instance holds the state of one expansion and is not shared between threads.
 */
final class WordExpander {
    private static final int EOF = -1;
    /** Deeper nesting of {@code ${A:-${B:-...}}} is refused rather than risked on the stack. */
    private static final int MAX_DEPTH = 64;

    private final char escape;
    private final boolean processQuotes;
    private final boolean rawQuotes;
    private final boolean keepUnset;
    private boolean rawEscapes;
    private Function<String, String> env;
    private String input;
    private int pos;
    private int depth;

    /**
     * @param escape        the escape character ({@code \} or {@code `})
     * @param processQuotes whether quotes are special at all (false for heredoc bodies: only {@code $} and
     *                      escapes are)
     * @param rawQuotes     keep the quote characters in the result (used to find out whether a word was quoted)
     * @param rawEscapes    keep escape characters in the result
     * @param keepUnset     leave references to unset variables as written instead of expanding them to nothing
     */
    WordExpander(char escape, boolean processQuotes, boolean rawQuotes, boolean rawEscapes, boolean keepUnset) {
        this.escape = escape;
        this.processQuotes = processQuotes;
        this.rawQuotes = rawQuotes;
        this.rawEscapes = rawEscapes;
        this.keepUnset = keepUnset;
    }

    /** The standard expander for instruction words with the Dockerfile's escape character. */
    static WordExpander standard(char escape) {
        return new WordExpander(escape, true, false, false, false);
    }

    /** The expander for heredoc bodies: quotes are literal, the escape character is always {@code \}. */
    static WordExpander heredocBody() {
        return new WordExpander('\\', false, false, false, false);
    }

    /** The result of one expansion: the whole word, and the fields it splits into at unquoted whitespace. */
    record Result(String word, List<String> fields) {
    }

    /**
     * Expands {@code word}; {@code env} gives a variable's value, or null when it is unset. A malformed word
     * (unterminated quote, bad substitution) is an {@link IllegalArgumentException} whose message says why.
     */
    Result expand(String word, Function<String, String> env) {
        this.env = env;
        this.input = word;
        this.pos = 0;
        this.depth = 0;
        try {
            Fields fields = new Fields();
            String result = processUntil(EOF, rawEscapes, fields);
            return new Result(result, fields.finish());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + quote(word), e);
        }
    }

    /** {@link #expand}'s whole word. */
    String word(String word, Function<String, String> env) {
        return expand(word, env).word();
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    private int peek() {
        return pos < input.length() ? input.charAt(pos) : EOF;
    }

    private int next() {
        return pos < input.length() ? input.charAt(pos++) : EOF;
    }

    /** Words split at unquoted whitespace, as the expansion goes. */
    private static final class Fields {
        private final List<String> words = new ArrayList<>();
        private final StringBuilder current = new StringBuilder();
        private boolean inWord;

        void addChar(int ch) {
            if (isSpace(ch)) {
                if (inWord && current.length() > 0) {
                    words.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
            } else {
                addRawChar(ch);
            }
        }

        void addRawChar(int ch) {
            current.append((char) ch);
            inWord = true;
        }

        void addString(String s) {
            for (int i = 0; i < s.length(); i++) {
                addChar(s.charAt(i));
            }
        }

        void addRawString(String s) {
            current.append(s);
            inWord = true;
        }

        List<String> finish() {
            if (current.length() > 0) {
                words.add(current.toString());
                current.setLength(0);
                inWord = false;
            }
            return List.copyOf(words);
        }
    }

    static boolean isSpace(int ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0B || ch == '\f' || ch == '\r' || ch == 0x85
                || ch == 0xA0 || (ch > 0xFF && Character.isSpaceChar(ch));
    }

    private String processUntil(int stop, boolean raw, Fields fields) {
        if (++depth > MAX_DEPTH) {
            throw new IllegalArgumentException("substitutions nested more than " + MAX_DEPTH + " deep");
        }
        boolean savedRaw = rawEscapes;
        rawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            while (peek() != EOF) {
                int ch = peek();
                if (stop != EOF && ch == stop) {
                    next();
                    return result.toString();
                }
                if (ch == '$') {
                    String value = processDollar();
                    result.append(value);
                    fields.addString(value);
                } else if (ch == '<') {
                    String value = processPossibleHeredoc();
                    result.append(value);
                    fields.addRawString(value);
                } else if (processQuotes && (ch == '\'' || ch == '"')) {
                    String value = ch == '\'' ? processSingleQuote() : processDoubleQuote();
                    result.append(value);
                    fields.addRawString(value);
                } else {
                    ch = next();
                    if (ch == escape) {
                        if (rawEscapes) {
                            fields.addRawChar(ch);
                            result.append((char) ch);
                        }
                        ch = next();
                        if (ch == EOF) {
                            break;
                        }
                        fields.addRawChar(ch);
                    } else {
                        fields.addChar(ch);
                    }
                    result.append((char) ch);
                }
            }
            if (stop != EOF) {
                throw new IllegalArgumentException("unexpected end of statement while looking for matching "
                        + (char) stop);
            }
            return result.toString();
        } finally {
            rawEscapes = savedRaw;
            depth--;
        }
    }

    private String processSingleQuote() {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.append((char) ch);
        }
        while (true) {
            ch = next();
            if (ch == EOF) {
                throw new IllegalArgumentException("unexpected end of statement while looking for matching single-quote");
            }
            if (ch == '\'') {
                if (rawQuotes) {
                    result.append((char) ch);
                }
                return result.toString();
            }
            result.append((char) ch);
        }
    }

    private String processDoubleQuote() {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.append((char) ch);
        }
        while (true) {
            int p = peek();
            if (p == EOF) {
                throw new IllegalArgumentException("unexpected end of statement while looking for matching double-quote");
            }
            if (p == '"') {
                next();
                if (rawQuotes) {
                    result.append('"');
                }
                return result.toString();
            }
            if (p == '$') {
                result.append(processDollar());
                continue;
            }
            ch = next();
            if (ch == escape) {
                if (rawEscapes) {
                    result.append((char) ch);
                }
                int after = peek();
                if (after == EOF) {
                    continue;
                }
                if (after == '"' || after == '$' || after == escape) {
                    ch = next();
                }
            }
            result.append((char) ch);
        }
    }

    private String processDollar() {
        next();
        if (peek() != '{') {
            String name = processName();
            if (name.isEmpty()) {
                return "$";
            }
            String value = env.apply(name);
            if (value == null) {
                return keepUnset ? "$" + name : "";
            }
            return value;
        }
        next();
        int first = peek();
        if (first == EOF) {
            throw new IllegalArgumentException("syntax error: missing '}'");
        }
        if (first == '{' || first == '}' || first == ':') {
            throw new IllegalArgumentException("syntax error: bad substitution");
        }
        String name = processName();
        int ch = next();
        if (ch == EOF) {
            throw new IllegalArgumentException("syntax error: missing '}'");
        }
        if (ch == '}') {
            String value = env.apply(name);
            if (value == null) {
                return keepUnset ? "${" + name + "}" : "";
            }
            return value;
        }
        String modifier = String.valueOf((char) ch);
        boolean nullIsUnset = false;
        if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            if (ch == EOF) {
                throw new IllegalArgumentException("syntax error: missing '}'");
            }
            modifier += (char) ch;
        }
        if (ch == '/' && !nullIsUnset) {
            return replace(name);
        }
        if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
            throw new IllegalArgumentException("unsupported modifier (" + modifier + ") in substitution");
        }
        String word = nestedWord('}', ch == '#' || ch == '%');
        String value = env.apply(name);
        boolean set = value != null;
        if (keepUnset && !set) {
            return "${" + name + modifier + word + "}";
        }
        boolean empty = !set || (nullIsUnset && value.isEmpty());
        return switch (ch) {
            case '-' -> empty ? word : value;
            case '+' -> empty ? "" : word;
            case '?' -> {
                if (!set) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                }
                if (empty) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                }
                yield value;
            }
            default -> trim(name, value == null ? "" : value, (char) ch, word, modifier);
        };
    }

    private String nestedWord(int stop, boolean raw) {
        try {
            return processUntil(stop, raw, new Fields());
        } catch (IllegalArgumentException e) {
            if (peek() == EOF) {
                throw new IllegalArgumentException("syntax error: missing '" + (char) stop + "'" + (stop == '/' ? " in ${}" : ""));
            }
            throw e;
        }
    }

    private String trim(String name, String value, char op, String word, String modifier) {
        if (modifier.length() > 1) {
            throw new IllegalArgumentException("unsupported modifier (" + modifier + ") in substitution");
        }
        boolean longest = !word.isEmpty() && word.charAt(0) == op;
        String pattern = longest ? word.substring(1) : word;
        return op == '#' ? ShellPattern.trimPrefix(value, pattern, longest)
                : ShellPattern.trimSuffix(value, pattern, longest);
    }

    private String replace(String name) {
        boolean all = peek() == '/';
        if (all) {
            next();
        }
        String pattern = nestedWord('/', true);
        String replacement = nestedWord('}', true);
        String value = env.apply(name);
        if (keepUnset && value == null) {
            return "${" + name + "/" + pattern + "/" + replacement + "}";
        }
        String v = value == null ? "" : value;
        Matcher m = ShellPattern.toRegex(pattern, true, false).matcher(v);
        if (all) {
            return m.replaceAll(Matcher.quoteReplacement(replacement));
        }
        return m.find() ? v.substring(0, m.start()) + replacement + v.substring(m.end()) : v;
    }

    /**
     * {@code <<} keeps the blanks after it in the same field, so that {@code <<  EOF} is one word and opens a
     * here-document, as in the reference; the text itself is unchanged.
     */
    private String processPossibleHeredoc() {
        next();
        if (peek() != '<') {
            return "<";
        }
        next();
        StringBuilder s = new StringBuilder("<<");
        while (peek() == ' ' || peek() == '\t' || peek() == '\r') {
            s.append((char) next());
        }
        return s.toString();
    }

    /** A name: letters, digits and underscores; or a run of digits; or one special parameter character. */
    private String processName() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (name.length() == 0 && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    name.append((char) next());
                }
                return name.toString();
            }
            if (name.length() == 0 && "@*#?-$!0".indexOf(ch) >= 0) {
                return String.valueOf((char) next());
            }
            if (!Character.isLetterOrDigit(ch) && ch != '_') {
                break;
            }
            name.append((char) next());
        }
        return name.toString();
    }
}
