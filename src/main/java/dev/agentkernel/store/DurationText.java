package dev.agentkernel.store;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code P7D}). */
public final class DurationText {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})([smhdw])");

    private DurationText() {
    }

    /** The duration, or bad input naming {@code option} (e.g. {@code --ttl}) and the accepted forms. */
    public static Duration parse(String text, String option) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            Duration d = Duration.parse(t.toUpperCase(Locale.ROOT).startsWith("P") ? t.toUpperCase(Locale.ROOT)
                    : "PT" + t.toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw new DateTimeParseException("negative", t, 0);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new UserInputException(option + ": bad duration '" + Quote.escape(text, Quote.MAX_CHARS)
                    + "': use e.g. 90s, 30m, 12h, 7d, 2w or P7D");
        }
    }
}
