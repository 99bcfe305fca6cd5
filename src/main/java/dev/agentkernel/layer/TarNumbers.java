package dev.agentkernel.layer;

import java.time.Instant;

/** Numeric fields of tar headers: octal, GNU base-256, and PAX decimal times. */
final class TarNumbers {
    private TarNumbers() {
    }

    /** Parses an octal field (NUL/space padded) or a base-256 one (high bit of the first byte set). */
    static long parse(byte[] block, int offset, int length) {
        if ((block[offset] & 0x80) != 0) {
            return parseBase256(block, offset, length);
        }
        int i = offset;
        int end = offset + length;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long value = 0;
        for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
            int digit = block[i] - '0';
            if (digit < 0 || digit > 7) {
                throw new NumberFormatException("invalid octal number in tar header");
            }
            if (value >>> 60 != 0) {
                throw new NumberFormatException("octal number too large in tar header");
            }
            value = value << 3 | digit;
        }
        return value;
    }

    private static long parseBase256(byte[] block, int offset, int length) {
        boolean negative = (block[offset] & 0x40) != 0;
        long value = negative ? -1L << 6 | (block[offset] & 0x3f) : block[offset] & 0x3f;
        for (int i = offset + 1; i < offset + length; i++) {
            long shifted = value << 8;
            if (shifted >> 8 != value) {
                throw new NumberFormatException("base-256 number too large in tar header");
            }
            value = shifted | (block[i] & 0xff);
        }
        return value;
    }

    /**
     * A PAX time: decimal seconds since the epoch with an optional fraction, possibly negative ({@code -?D+(.D+)?},
     * as Go's archive/tar reads it: no exponents, no signs elsewhere). Digits beyond nanoseconds are cut off.
     * Seconds outside {@link Instant}'s range are a {@link java.time.DateTimeException}.
     */
    static Instant paxTime(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        int dot = t.indexOf('.');
        String whole = t.substring(negative ? 1 : 0, dot < 0 ? t.length() : dot);
        String fraction = dot < 0 ? "" : t.substring(dot + 1);
        if (whole.isEmpty() || !digits(whole) || (dot >= 0 && (fraction.isEmpty() || !digits(fraction)))) {
            throw new NumberFormatException("invalid PAX time");
        }
        if (whole.length() > 18) {
            throw new java.time.DateTimeException("PAX time out of range");
        }
        long seconds = Long.parseLong(whole);
        String nineDigits = (fraction + "000000000").substring(0, 9);
        long nanos = Long.parseLong(nineDigits);
        if (negative) {
            seconds = -seconds;
            if (nanos != 0) {
                seconds -= 1;
                nanos = 1_000_000_000L - nanos;
            }
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
