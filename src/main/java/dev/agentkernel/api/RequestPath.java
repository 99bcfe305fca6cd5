package dev.agentkernel.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A raw request path split into segments and each segment percent-decoded as UTF-8 (so {@code %2F} stays inside
 * its segment). Empty segments go, so {@code files//tmp/x} and {@code files/tmp/x} are the same path, as
 * agentkernel's server treats them. A malformed escape or bytes that are not UTF-8 are bad input.
 */
final class RequestPath {
    private RequestPath() {
    }

    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath == null) {
            return out;
        }
        int q = rawPath.indexOf('?');
        String path = q < 0 ? rawPath : rawPath.substring(0, q);
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(decode(s, false));
            }
        }
        return out;
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    static String decode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw ApiException.badRequest("bad percent-escape in the path or query");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiException.badRequest("bad percent-escape in the path or query");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
                i++;
            } else {
                int end = i;
                while (end < s.length() && s.charAt(end) != '%' && !(plusIsSpace && s.charAt(end) == '+')) {
                    end++;
                }
                byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i = end;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the path or query is not UTF-8 once percent-decoded");
        }
    }
}
