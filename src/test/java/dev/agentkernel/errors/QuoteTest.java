package dev.agentkernel.errors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QuoteTest {
    @Test
    void controlCharactersAndRawBytesAreEscaped() {
        assertThat(Quote.name("a\0b\u001b[31mred\nx\ty")).isEqualTo("'a\\x00b\\x1b[31mred\\nx\\ty'");
        assertThat(Quote.name("caf\udce9")).isEqualTo("'caf\\xe9'");
        assertThat(Quote.name("it's a\\b")).isEqualTo("'it\\'s a\\\\b'");
        assertThat(Quote.name("\u009b2J\u202e")).isEqualTo("'\\u{009b}2J\\u{202e}'");
        assertThat(Quote.name("ünïcödé/名前")).isEqualTo("'ünïcödé/名前'");
    }

    @Test
    void longValuesKeepHeadAndTailAndSayHowMuchIsLeftOut() {
        String path = "a/".repeat(500_000) + "file";
        String quoted = Quote.name(path);
        assertThat(quoted).hasSizeLessThan(Quote.MAX_CHARS + 60).startsWith("'a/a/").endsWith("a/file'")
                .contains("…(999844 more characters)…");
    }

    @Test
    void terminalTextKeepsLinesButNoEscapes() {
        assertThat(Quote.forTerminal("one\ntwo\u001b]0;title\u0007", 100)).isEqualTo("one\ntwo\\x1b]0;title\\x07");
        assertThat(Quote.forTerminal("x".repeat(50), 10)).isEqualTo("xxxxxxx…(40 more characters)…xxx");
        assertThat(Quote.forTerminal("x".repeat(10), 10)).isEqualTo("x".repeat(10));
        assertThat(Quote.forTerminal("x".repeat(40), 10)).isEqualTo("x".repeat(40));
        String message = "cannot read " + "a".repeat(1 << 20) + ": permission denied";
        assertThat(Quote.forTerminal(message, 4000)).hasSizeLessThan(4100).startsWith("cannot read aaa")
                .endsWith("aaa: permission denied").containsPattern("…\\(10[0-9]{5} more characters\\)…");
    }
}
