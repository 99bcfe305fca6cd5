package dev.agentkernel.vm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of a log a guest or monitor wrote (so of any size and content): read from the end with a
 * bound, control characters other than tabs replaced, for error messages and {@code inspect}.
 */
public final class LogTail {
    private static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_LINE = 300;

    private LogTail() {
    }

    /** "--- last lines of the TITLE ---" and the lines, or "" when the file has none. */
    public static String block(String title, Path file, int lines) {
        List<String> tail = file == null ? List.of() : lines(file, lines);
        return tail.isEmpty() ? "" : "\n--- last lines of the " + title + " ---\n" + String.join("\n", tail) + "\n";
    }

    public static List<String> lines(Path file, int lines) {
        List<String> result = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return result;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - MAX_BYTES);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).replace("\r", "");
            String[] all = text.split("\n");
            for (int i = Math.max(start > 0 ? 1 : 0, all.length - lines); i < all.length; i++) {
                String line = clean(all[i]);
                if (!line.isBlank()) {
                    result.add(line);
                }
            }
        } catch (IOException e) {
            result.add("(cannot read " + file + ": " + e.getMessage() + ")");
        }
        return result;
    }

    private static String clean(String line) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < line.length() && b.length() < MAX_LINE; i++) {
            char c = line.charAt(i);
            b.append(c == '\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c >= 0xa0)) ? c : '?');
        }
        return b.toString();
    }
}
