package dev.agentkernel.errors;

/**
 * Quotes user data (paths from an image, text from a guest or an outside program) for error messages: bounded
 * and escaped, so a 1 MiB path cannot flood a terminal and a NUL byte or an ANSI escape sequence cannot reach
 * it. Control characters become {@code \n}, {@code \t}, {@code \xNN} or a Unicode escape; a byte of a name that
 * is not UTF-8 (kept as U+DC80..U+DCFF, see the layer package) becomes {@code \xNN}; the quote and backslash
 * are escaped. Text longer than the bound keeps its head and tail with the number of characters left out
 * between them, so the message stays a complete sentence.
 */
public final class Quote {
    /** Characters of user data a message shows at most (about two terminal lines). */
    public static final int MAX_CHARS = 160;

    private Quote() {
    }

    /** {@code 'value'}, escaped and bounded: for paths, names and other identifiers. */
    public static String name(String value) {
        return "'" + escape(value, MAX_CHARS) + "'";
    }

    /** Like {@link #name}, for free text (output of a program, an answer of a guest). */
    public static String text(String value) {
        return name(value);
    }

    /** The escaped text without quotes, at most about {@code max} characters of it (plus the elision note). */
    public static String escape(String value, int max) {
        if (value == null) {
            return "(none)";
        }
        if (value.length() <= max) {
            return escapeAll(value, 0, value.length());
        }
        int head = max * 2 / 3;
        int tail = max - head;
        int tailStart = value.length() - tail;
        if (Character.isLowSurrogate(value.charAt(tailStart))) {
            tailStart++; // never split a surrogate pair
        }
        if (head > 0 && Character.isHighSurrogate(value.charAt(head - 1))) {
            head--;
        }
        return escapeAll(value, 0, head) + "…(" + (tailStart - head) + " more characters)…"
                + escapeAll(value, tailStart, value.length());
    }

    /**
     * A message to print on a terminal: every control character escaped except line breaks and tabs (messages
     * may carry a few lines of context, such as a console's last lines), bounded to about {@code maxChars}. A
     * longer one keeps its head (three quarters) and its tail with the number of characters left out between
     * them, so the end of the sentence (what failed, what to do) is still there.
     */
    public static String forTerminal(String message, int maxChars) {
        if (message == null) {
            return "";
        }
        int headMax = maxChars * 3 / 4;
        StringBuilder head = new StringBuilder(Math.min(message.length(), maxChars) + 16);
        int i = 0;
        for (; i < message.length() && head.length() < headMax; i++) {
            appendForTerminal(head, message.charAt(i));
        }
        if (i < message.length() && Character.isLowSurrogate(message.charAt(i))) {
            appendForTerminal(head, message.charAt(i++)); // never split a surrogate pair
        }
        // the tail, escaped backwards from the end until it is a quarter of the bound or meets the head
        int tailMax = maxChars - headMax;
        int j = message.length();
        int tailLength = 0;
        StringBuilder one = new StringBuilder(12);
        while (j > i && tailLength < tailMax) {
            one.setLength(0);
            appendForTerminal(one, message.charAt(--j));
            tailLength += one.length();
        }
        if (j > i && Character.isLowSurrogate(message.charAt(j))) {
            j--;
        }
        int tailStart = j - i <= 32 ? i : j; // leaving out a few characters would not make it shorter
        if (tailStart > i) {
            head.append("…(").append(tailStart - i).append(" more characters)…");
        }
        for (int k = tailStart; k < message.length(); k++) {
            appendForTerminal(head, message.charAt(k));
        }
        return head.toString();
    }

    private static void appendForTerminal(StringBuilder out, char c) {
        if (c == '\n' || c == '\t') {
            out.append(c);
        } else {
            appendEscaped(out, c, false);
        }
    }

    private static String escapeAll(String value, int from, int to) {
        StringBuilder out = new StringBuilder(to - from + 8);
        for (int i = from; i < to; i++) {
            appendEscaped(out, value.charAt(i), true);
        }
        return out.toString();
    }

    private static void appendEscaped(StringBuilder out, char c, boolean quoted) {
        if (c >= 0xDC80 && c <= 0xDCFF) {
            out.append(String.format("\\x%02x", c & 0xff)); // a byte of a name that is not UTF-8
        } else if (quoted && (c == '\'' || c == '\\')) {
            out.append('\\').append(c);
        } else if (c == '\n' && quoted) {
            out.append("\\n");
        } else if (c == '\t' && quoted) {
            out.append("\\t");
        } else if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
        } else if ((c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == 0xfeff
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
            // C1 controls (0x9b starts an escape sequence on some terminals), line separators, bidi overrides
            out.append(String.format("\\u{%04x}", (int) c));
        } else {
            out.append(c);
        }
    }
}
