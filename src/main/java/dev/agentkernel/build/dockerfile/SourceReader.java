package dev.agentkernel.build.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Dockerfile's text into logical lines, the way the reference parser does: parser directives at the top,
 * comments dropped, continuation lines joined (comment and empty lines inside a continuation skipped, the latter
 * with a warning), and here-document bodies read after the line that opens them.
 */
final class SourceReader {
    private static final Pattern DIRECTIVE = Pattern.compile("^([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$");
    private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("run", "copy", "add");

    /** One instruction's text and where it is, with the bodies of its here-documents. */
    record LogicalLine(int start, int end, String text, List<Heredoc> heredocs) {
    }

    /** The file read: its directives, instructions and warnings (each naming its line). */
    record Source(Directives directives, List<LogicalLine> lines, List<String> warnings) {
    }

    private final List<String> physical;
    private int next;
    private int lineNumber;
    private char escape = '\\';
    private String syntax;
    private String check;
    private boolean directivesDone;
    private final Set<String> seenDirectives = new HashSet<>();

    private SourceReader(String text) {
        this.physical = splitKeepingEndings(text);
    }

    static Source read(String text) {
        return new SourceReader(text).readAll();
    }

    private static List<String> splitKeepingEndings(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }

    private Source readAll() {
        List<LogicalLine> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        while (next < physical.size()) {
            String raw = physical.get(next++);
            if (lineNumber == 0 && raw.startsWith("\uFEFF")) {
                raw = raw.substring(1);
            }
            String processed = processLine(raw, true);
            lineNumber++;
            int start = lineNumber;
            Continued first = trimContinuation(processed);
            if (!first.continues && first.text.isEmpty()) {
                continue;
            }
            StringBuilder buf = new StringBuilder(first.text);
            boolean continues = first.continues;
            boolean emptyContinuation = false;
            while (continues && next < physical.size()) {
                String rawNext = physical.get(next++);
                String p = processLine(rawNext, false);
                lineNumber++;
                if (isComment(rawNext)) {
                    continue;
                }
                if (p.isBlank()) {
                    emptyContinuation = true;
                    continue;
                }
                Continued c = trimContinuation(p);
                buf.append(c.text);
                continues = c.continues;
            }
            String line = buf.toString();
            if (emptyContinuation) {
                warnings.add("Dockerfile line " + start + ": empty continuation line (a future release of the"
                        + " reference builder makes this an error)");
            }
            List<Heredoc> heredocs = canContainHeredoc(line) && line.contains("<<")
                    ? readHeredocs(line, start) : List.of();
            lines.add(new LogicalLine(start, lineNumber, line, heredocs));
        }
        if (lines.isEmpty()) {
            throw new DockerfileException(Math.max(1, lineNumber), "file with no instructions");
        }
        Directives directives = new Directives(escape, Optional.ofNullable(syntax), Optional.ofNullable(check));
        return new Source(directives, List.copyOf(lines), List.copyOf(warnings));
    }

    private static String trimNewline(String raw) {
        int end = raw.length();
        while (end > 0 && (raw.charAt(end - 1) == '\n' || raw.charAt(end - 1) == '\r')) {
            end--;
        }
        return raw.substring(0, end);
    }

    private static boolean isComment(String line) {
        String t = line.stripLeading();
        return !t.isEmpty() && t.charAt(0) == '#';
    }

    private String processLine(String raw, boolean stripLeft) {
        String token = trimNewline(raw);
        if (stripLeft) {
            token = stripLeadingSpace(token);
        }
        parseDirective(token);
        return isComment(token) ? "" : token;
    }

    private static String stripLeadingSpace(String s) {
        int i = 0;
        while (i < s.length() && WordExpander.isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    /** Parser directives are comments of the form {@code # key=value} before anything else, each at most once. */
    private void parseDirective(String line) {
        if (directivesDone) {
            return;
        }
        if (!line.startsWith("#")) {
            directivesDone = true;
            return;
        }
        Matcher m = DIRECTIVE.matcher(stripLeadingSpace(line.substring(1)));
        if (!m.matches()) {
            directivesDone = true;
            return;
        }
        String key = m.group(1).toLowerCase(Locale.ROOT);
        if (!key.equals("escape") && !key.equals("syntax") && !key.equals("check")) {
            directivesDone = true;
            return;
        }
        int at = lineNumber + 1;
        if (!seenDirectives.add(key)) {
            throw new DockerfileException(at, "only one " + key + " parser directive can be used");
        }
        String value = m.group(2);
        switch (key) {
            case "escape" -> {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new DockerfileException(at, "invalid escape token '" + value + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            }
            case "syntax" -> syntax = value;
            default -> check = value;
        }
    }

    private record Continued(String text, boolean continues) {
    }

    /**
     * A line continues when it ends with the escape character (spaces and tabs after it allowed) that is not
     * itself escaped; the character and what follows it are removed.
     */
    private Continued trimContinuation(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end == 0 || line.charAt(end - 1) != escape) {
            return new Continued(line, false);
        }
        int esc = end - 1;
        if (esc > 0 && line.charAt(esc - 1) == escape) {
            return new Continued(line, false);
        }
        return new Continued(line.substring(0, esc), true);
    }

    /** RUN, COPY and ADD in shell form (also after ONBUILD) may open here-documents. */
    private boolean canContainHeredoc(String line) {
        Words.Head head = Words.splitCommand(line, escape);
        String command = head.command().toLowerCase(Locale.ROOT);
        if (command.equals("onbuild") && !head.rest().isEmpty()) {
            head = Words.splitCommand(head.rest(), escape);
            command = head.command().toLowerCase(Locale.ROOT);
        }
        if (!HEREDOC_INSTRUCTIONS.contains(command)) {
            return false;
        }
        return !JsonArgs.isJsonArray(head.rest());
    }

    private List<Heredoc> readHeredocs(String line, int start) {
        List<Heredoc> markers;
        try {
            markers = heredocMarkers(line);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(start, e.getMessage(), e);
        }
        List<Heredoc> docs = new ArrayList<>();
        for (Heredoc marker : markers) {
            StringBuilder body = new StringBuilder();
            boolean terminated = false;
            while (next < physical.size()) {
                String raw = physical.get(next++);
                lineNumber++;
                String candidate = trimNewline(raw);
                if (marker.chomp()) {
                    candidate = candidate.replaceFirst("^\t+", "");
                }
                if (candidate.equals(marker.name())) {
                    terminated = true;
                    break;
                }
                body.append(raw);
            }
            if (!terminated) {
                throw new DockerfileException(start, "unterminated heredoc: no line '" + marker.name()
                        + "' ends the here-document opened here");
            }
            docs.add(new Heredoc(marker.name(), marker.descriptor(), marker.expand(), marker.chomp(), body.toString()));
        }
        return List.copyOf(docs);
    }

    /** The here-document openers on a line, in order (their bodies still empty). */
    static List<Heredoc> heredocMarkers(String line) {
        WordExpander raw = new WordExpander('\\', true, true, true, true);
        List<Heredoc> markers = new ArrayList<>();
        for (String word : raw.expand(line, name -> null).fields()) {
            Heredoc marker = heredocMarker(word);
            if (marker != null) {
                markers.add(marker);
            }
        }
        return markers;
    }

    /** The here-document a word like {@code <<EOF}, {@code <<-'EOF'} or {@code 2<<EOF} opens, or null. */
    static Heredoc heredocMarker(String word) {
        Matcher m = HEREDOC.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return null;
        }
        String rest = m.group(3);
        List<String> plain = new WordExpander('\\', true, false, false, true).expand(rest, name -> null).fields();
        if (plain.size() != 1) {
            return null;
        }
        List<String> quoted = new WordExpander('\\', true, true, false, true).expand(rest, name -> null).fields();
        if (quoted.size() != 1) {
            throw new IllegalArgumentException("internal lexing of heredoc produced inconsistent results: " + rest);
        }
        String name = plain.get(0);
        boolean expand = quoteCount(name) == quoteCount(quoted.get(0));
        int fd = 0;
        if (!m.group(1).isEmpty()) {
            try {
                fd = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                fd = 0; // as the reference: an unparsable descriptor counts as none
            }
        }
        return new Heredoc(name, fd, expand, m.group(2).equals("-"), "");
    }

    private static int quoteCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
                n++;
            }
        }
        return n;
    }
}
