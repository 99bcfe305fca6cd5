package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How the parser cuts an instruction's text before any expansion: the instruction word, its {@code --flags},
 * whitespace-separated arguments, and quote-aware words (ENV, LABEL, ARG), which keep their quotes and escapes
 * for the expansion to remove later.
 */
final class Words {
    /** Whitespace between arguments: the reference splits on these, not on newlines. */
    static final Pattern WHITESPACE = Pattern.compile("[\\t\\x0B\\f\\r ]+");

    private Words() {
    }

    /** An instruction cut into its word, its flags (quotes and escapes removed) and the rest, trimmed. */
    record Head(String command, List<String> flags, String rest) {
    }

    static Head splitCommand(String line, char escape) {
        String[] parts = WHITESPACE.split(line.strip(), 2);
        if (parts.length < 2) {
            return new Head(parts[0], List.of(), "");
        }
        List<String> flags = new ArrayList<>();
        String rest = extractFlags(parts[1], escape, flags);
        return new Head(parts[0], List.copyOf(flags), rest.strip());
    }

    /**
     * Takes the leading words that start with {@code --} off {@code line} into {@code flags} (a lone {@code --}
     * ends them) and returns what follows.
     */
    static String extractFlags(String line, char escape, List<String> flags) {
        StringBuilder word = new StringBuilder();
        int pos = 0;
        int n = line.length();
        while (true) {
            while (pos < n && WordExpander.isSpace(line.charAt(pos))) {
                pos++;
            }
            if (pos >= n) {
                return "";
            }
            if (!line.startsWith("--", pos)) {
                return line.substring(pos);
            }
            word.setLength(0);
            boolean blankOk = false;
            char quote = 0;
            while (pos < n) {
                char ch = line.charAt(pos);
                if (quote == 0) {
                    if (WordExpander.isSpace(ch)) {
                        break;
                    }
                    if (ch == '\'' || ch == '"') {
                        quote = ch;
                        blankOk = true;
                        pos++;
                        continue;
                    }
                } else if (ch == quote) {
                    quote = 0;
                    pos++;
                    continue;
                }
                if (ch == escape) {
                    if (pos + 1 == n) {
                        pos++;
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
                pos++;
            }
            String w = word.toString();
            if (w.equals("--")) {
                return line.substring(pos);
            }
            if (blankOk || !w.isEmpty()) {
                flags.add(w);
            }
        }
    }

    /** Whitespace-separated arguments, nothing quoted (FROM, EXPOSE, and the shell forms of COPY, ADD, VOLUME). */
    static List<String> whitespaceSeparated(String rest) {
        if (rest.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(List.of(WHITESPACE.split(rest, -1)));
        out.removeIf(String::isEmpty);
        return List.copyOf(out);
    }

    /**
     * Words separated by unquoted whitespace, with their quotes and escapes kept: {@code a="b c" d} is
     * {@code [a="b c", d]}. An escape character at the very end is dropped.
     */
    static List<String> quotedWords(String rest, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        int n = rest.length();
        for (int pos = 0; pos < n; pos++) {
            char ch = rest.charAt(pos);
            if (!inWord) {
                if (WordExpander.isSpace(ch)) {
                    continue;
                }
                inWord = true;
            }
            if (quote == 0) {
                if (WordExpander.isSpace(ch)) {
                    if (blankOk || word.length() > 0) {
                        words.add(word.toString());
                    }
                    word.setLength(0);
                    blankOk = false;
                    inWord = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                } else if (ch == escape) {
                    if (pos + 1 == n) {
                        continue;
                    }
                    word.append(ch);
                    ch = rest.charAt(++pos);
                }
                word.append(ch);
                continue;
            }
            if (ch == quote) {
                quote = 0;
            } else if (ch == escape && quote != '\'') {
                if (pos + 1 == n) {
                    quote = 0;
                    continue;
                }
                word.append(ch);
                ch = rest.charAt(++pos);
            }
            word.append(ch);
        }
        if (inWord && (blankOk || word.length() > 0)) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }
}
