package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessStreamsTest {
    @Test
    void anEmbeddersWriterGetsUtf8DecodedEvenWhenACharacterIsSplitAcrossWrites() throws IOException {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text);
        writer.print("before ");
        byte[] bytes = "caf\u00e9 \u20ac \uD83D\uDE00\n".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = ProcessStreams.bytesOf(writer)) {
            for (byte b : bytes) {
                out.write(new byte[] {b}, 0, 1); // every multi-byte character arrives in pieces
                assertThat(text.toString()).doesNotContain("\uFFFD");
            }
        }
        assertThat(text.toString()).isEqualTo("before caf\u00e9 \u20ac \uD83D\uDE00\n");
    }

    @Test
    void invalidBytesBecomeReplacementCharactersAndACutCharacterAtTheEndToo() throws IOException {
        StringWriter text = new StringWriter();
        try (OutputStream out = ProcessStreams.bytesOf(new PrintWriter(text))) {
            out.write(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xe2, (byte) 0x82});
        }
        assertThat(text.toString()).isEqualTo("a\uFFFDb\uFFFD");
    }

    @Test
    void theProcesssOwnWritersGiveItsStreamsThatStayOpen() throws IOException {
        OutputStream out = ProcessStreams.bytesOf(ProcessStreams.OUT);
        out.close();
        out.write(new byte[0], 0, 0); // closing the view does not close System.out
        assertThat(System.out.checkError()).isFalse();
    }
}
