package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RunOutputTest {
    @Test
    void textGoesThroughTheWriterAndOtherBytesStraightToTheStream() {
        StringWriter text = new StringWriter();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        PrintStream rawStream = new PrintStream(raw, true, StandardCharsets.UTF_8);

        RunCommand.printExactly("caf\u00e9 \u20ac\n".getBytes(StandardCharsets.UTF_8), new PrintWriter(text), rawStream);
        assertThat(text.toString()).isEqualTo("caf\u00e9 \u20ac\n");
        assertThat(raw.toByteArray()).isEmpty();

        byte[] binary = {'c', 'a', 'f', (byte) 0xe9, 0, (byte) 0xff};
        RunCommand.printExactly(binary, new PrintWriter(text), rawStream);
        assertThat(raw.toByteArray()).containsExactly(binary);
        assertThat(text.toString()).as("nothing more through the writer").isEqualTo("caf\u00e9 \u20ac\n");
    }
}
