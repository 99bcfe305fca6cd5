package dev.agentkernel.rootfs;

import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as users write them: {@code 1G}, {@code 512M}, {@code 300MiB}, {@code 4096} (bytes); powers of 1024. */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)(?:\\.(\\d+))?\\s*([kmgt]?)(i?b)?");

    private ByteSize() {
    }

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UserInputException("bad size '" + text + "': use a number with an optional K, M, G or T suffix, "
                    + "e.g. 512M or 2G");
        }
        long unit = switch (m.group(3)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1;
        };
        double value = Double.parseDouble(m.group(1) + (m.group(2) == null ? "" : "." + m.group(2)));
        double bytes = value * unit;
        if (bytes > Long.MAX_VALUE / 2) {
            throw new UserInputException("size '" + text + "' is too large");
        }
        return (long) Math.ceil(bytes);
    }

    /** A short human form: 1.5 GiB, 300 MiB, 12 KiB, 7 B. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
