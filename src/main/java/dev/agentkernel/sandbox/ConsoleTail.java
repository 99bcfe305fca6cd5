package dev.agentkernel.sandbox;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of a sandbox's console (written by the guest, so of any size and content): read from the
 * end with a bound, control characters other than tabs replaced, for error messages and {@code inspect}.
 */
public final class ConsoleTail {
    private static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_LINE = 300;

    private ConsoleTail() {
    }

    /** A block "--- last lines of the guest console ---" followed by the lines, or "" when there are none. */
    static String of(SandboxDirectory dir, int lines) {
        List<String> tail = lines(dir.consoleLog(), lines);
        List<String> monitor = lines(dir.monitorLog(), 5);
        StringBuilder out = new StringBuilder();
        if (!tail.isEmpty()) {
            out.append("\n--- last lines of the guest console ---\n").append(String.join("\n", tail));
        }
        if (!monitor.isEmpty()) {
            out.append("\n--- last lines of the monitor's output ---\n").append(String.join("\n", monitor));
        }
        return out.toString();
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
