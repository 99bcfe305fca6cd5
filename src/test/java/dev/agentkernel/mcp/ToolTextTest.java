package dev.agentkernel.mcp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ToolTextTest {
    @Test
    void shortOutputIsKept() {
        String s = "x".repeat(ToolText.MAX_BYTES);
        assertThat(ToolText.truncate(s)).isSameAs(s);
    }

    @Test
    void longOutputKeepsHeadAndTailAndSaysHowMuchWasCut() {
        String s = "H".repeat(10_000) + "M".repeat(10_000) + "T".repeat(10_000);
        String t = ToolText.truncate(s);
        assertThat(t).startsWith("H".repeat(8_000)).endsWith("T".repeat(8_000))
                .contains("\n\n... [14000 bytes truncated] ...\n\n").doesNotContain("M");
    }

    @Test
    void multiByteCharactersAreNeverCutInTwo() {
        String s = "é".repeat(20_000); // 2 bytes each
        String t = ToolText.truncate(s);
        assertThat(t.replaceAll("\n\n\\.\\.\\. \\[\\d+ bytes truncated\\] \\.\\.\\.\n\n", "")).matches("é+");
        assertThat(t.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ToolText.MAX_BYTES + 64);
    }
}
