package dev.agentkernel.layer;

import java.math.BigDecimal;
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

    /** A PAX time: decimal seconds since the epoch with an optional fraction, possibly negative. */
    static Instant paxTime(String text) {
        BigDecimal seconds = new BigDecimal(text.strip());
        BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValue();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }
}
