package dev.agentkernel.ext4;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RawNamesTest {
    @Test
    void aLoneEscapeIsItsByteAndEverythingElseIsUtf8() {
        assertThat(RawNames.encode("caf\uDCE9")).containsExactly('c', 'a', 'f', 0xe9);
        assertThat(RawNames.encode("caf\u00e9")).containsExactly('c', 'a', 'f', 0xc3, 0xa9);
        // U+1F600 is the pair D83D DE00, U+10380 the pair D800 DF80: pairs are characters, not escapes
        assertThat(RawNames.encode("\uD83D\uDE00\uDC80")).containsExactly(0xf0, 0x9f, 0x98, 0x80, 0x80);
    }

    @Property
    void textWithoutEscapesIsPlainUtf8(@ForAll String text) {
        String noLoneSurrogates = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(RawNames.encode(noLoneSurrogates)).isEqualTo(noLoneSurrogates.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void encodedLengthCountsWhatEncodeWrites(@ForAll String text, @ForAll("escapes") String escapes) {
        String mixed = text + escapes + text.toUpperCase() + "\uD83D\uDE00" + escapes;
        for (int from = 0; from <= mixed.length(); from += 3) {
            for (int to = from; to <= mixed.length(); to += 2) {
                assertThat(RawNames.encodedLength(mixed, from, to))
                        .isEqualTo(RawNames.encode(mixed.substring(from, to)).length);
            }
        }
    }

    @Provide
    Arbitrary<String> escapes() {
        return Arbitraries.strings().withCharRange('\uDC80', '\uDCFF').withCharRange('\uD800', '\uDBFF')
                .ofMaxLength(6);
    }
}
