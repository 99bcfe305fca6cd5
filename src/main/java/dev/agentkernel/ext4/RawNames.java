package dev.agentkernel.ext4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a name or symlink target: UTF-8, except that a lone surrogate U+DC80 to U+DCFF stands for the
 * single byte 0x80 to 0xFF (Python's "surrogateescape"): how a caller passes names that are not UTF-8, as
 * Linux file names may be, without losing a byte.
 */
public final class RawNames {
    private RawNames() {
    }

    /** The bytes the writer stores for {@code name} (a file name, a path or a symlink target). */
    public static byte[] encode(String name) {
        if (!hasEscapes(name)) {
            return name.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
        int start = 0;
        for (int i = 0; i < name.length(); i++) {
            if (isEscape(name, i)) {
                out.writeBytes(name.substring(start, i).getBytes(StandardCharsets.UTF_8));
                out.write(name.charAt(i) & 0xff);
                start = i + 1;
            }
        }
        out.writeBytes(name.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The length of {@code encode(s.substring(from, to))}, counted without encoding. */
    static int encodedLength(String s, int from, int to) {
        int bytes = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4; // a pair: one code point beyond the BMP
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // an escaped byte, or a lone surrogate that UTF-8 writes as '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static boolean hasEscapes(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (isEscape(name, i)) {
                return true;
            }
        }
        return false;
    }

    /** A low surrogate in the escape range that is not the second half of a pair. */
    private static boolean isEscape(String s, int i) {
        char c = s.charAt(i);
        return c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
