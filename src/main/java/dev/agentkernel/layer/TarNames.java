package dev.agentkernel.layer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of a tar name (path, link target) into a String without losing any: UTF-8 where they are
 * UTF-8, and each byte that is not as the lone surrogate U+DC00 + byte (U+DC80 to U+DCFF), the convention of
 * Python's "surrogateescape" and of the ext4 writer, which writes such a character back as the byte. File names
 * on Linux are bytes; an image may hold a Latin-1 name, and it must reach the root filesystem as it is.
 */
final class TarNames {
    private TarNames() {
    }

    static String decode(byte[] bytes, int offset, int length) {
        if (isAscii(bytes, offset, length)) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1); // the common case, fast
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length); // never more chars than bytes
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                decoder.flush(out);
                break;
            }
            for (int i = 0; i < result.length(); i++) { // malformed: only bytes 0x80-0xff, escaped one by one
                out.put((char) (0xDC00 | (in.get() & 0xff)));
            }
        }
        return out.flip().toString();
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
