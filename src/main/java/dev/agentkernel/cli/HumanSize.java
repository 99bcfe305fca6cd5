package dev.agentkernel.cli;

import java.util.Locale;

/** Sizes as the seed prints them: 1024-based B, KB, MB, GB with one decimal above bytes. */
final class HumanSize {
    private static final long KB = 1024;
    private static final long MB = KB * 1024;
    private static final long GB = MB * 1024;

    private HumanSize() {
    }

    static String format(long bytes) {
        if (bytes >= GB) {
            return String.format(Locale.ROOT, "%.1f GB", (double) bytes / GB);
        }
        if (bytes >= MB) {
            return String.format(Locale.ROOT, "%.1f MB", (double) bytes / MB);
        }
        if (bytes >= KB) {
            return String.format(Locale.ROOT, "%.1f KB", (double) bytes / KB);
        }
        return bytes + " B";
    }
}
