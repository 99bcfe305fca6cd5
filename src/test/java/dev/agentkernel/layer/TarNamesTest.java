package dev.agentkernel.layer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TarNamesTest {
    @Test
    void bytesThatAreNotUtf8BecomeEscapesOneByOne() {
        byte[] bytes = {'c', 'a', 'f', (byte) 0xe9, '/', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, (byte) 0xfe};
        assertThat(TarNames.decode(bytes, 0, bytes.length)).isEqualTo("caf\uDCE9/\u00e9\uDCFF\uDCFE");
        assertThat(TarNames.decode(bytes, 5, 2)).isEqualTo("\u00e9");
    }

    @Property
    void utf8DecodesAsUtf8(@ForAll String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(TarNames.decode(utf8, 0, utf8.length)).isEqualTo(new String(utf8, StandardCharsets.UTF_8));
    }

    @Property
    void everyByteSurvives(@ForAll byte[] bytes) {
        String decoded = TarNames.decode(bytes, 0, bytes.length);
        // what the ext4 writer does with it: UTF-8, except lone U+DC80-U+DCFF, which are the bytes themselves
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            boolean escape = c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(decoded.charAt(i - 1)));
            if (escape) {
                back.write(c & 0xff);
            } else if (Character.isHighSurrogate(c)) {
                back.writeBytes(decoded.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                back.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(back.toByteArray()).isEqualTo(bytes);
    }
}
