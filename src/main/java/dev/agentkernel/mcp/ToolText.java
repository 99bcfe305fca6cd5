package dev.agentkernel.mcp;

import java.nio.charset.StandardCharsets;

/**
 * Tool output for a model's context, cut as agentkernel's MCP server cuts it: over {@link #MAX_BYTES} bytes of
 * UTF-8, the first and last halves are kept around a line that says how many bytes were left out.
 */
final class ToolText {
    static final int MAX_BYTES = 16_000;

    private ToolText() {
    }

    static String truncate(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_BYTES) {
            return text;
        }
        int keep = MAX_BYTES / 2;
        int headEnd = boundaryAtOrBefore(bytes, keep);
        int tailStart = boundaryAtOrAfter(bytes, bytes.length - keep);
        int omitted = tailStart - headEnd;
        return new String(bytes, 0, headEnd, StandardCharsets.UTF_8) + "\n\n... [" + omitted + " bytes truncated] ...\n\n"
                + new String(bytes, tailStart, bytes.length - tailStart, StandardCharsets.UTF_8);
    }

    /** The start of the UTF-8 sequence at or before {@code i}, so no character is cut in two. */
    private static int boundaryAtOrBefore(byte[] b, int i) {
        while (i > 0 && (b[i] & 0xC0) == 0x80) {
            i--;
        }
        return i;
    }

    private static int boundaryAtOrAfter(byte[] b, int i) {
        while (i < b.length && (b[i] & 0xC0) == 0x80) {
            i++;
        }
        return i;
    }
}
