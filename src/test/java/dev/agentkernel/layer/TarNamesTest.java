package dev.agentkernel.layer;

import dev.agentkernel.ext4.RawNames;
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
        // what the ext4 writer stores for the name: the same bytes
        assertThat(RawNames.encode(decoded)).isEqualTo(bytes);
    }
}
