package dev.agentkernel.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Byte streams for a command's output. When the command line writes to this process's own stdout and stderr
 * (as {@link Main#main} sets it up), guest bytes go to them unchanged; a caller that embeds the command line
 * with writers of its own (the tests) gets the bytes decoded as UTF-8 into them.
 */
final class ProcessStreams {
    static final PrintWriter OUT = new PrintWriter(System.out, true);
    static final PrintWriter ERR = new PrintWriter(System.err, true);

    private ProcessStreams() {
    }

    /** Bytes written to this stream appear on {@code writer}, in order with what was printed to it before. */
    static OutputStream bytesOf(PrintWriter writer) {
        writer.flush();
        if (writer == OUT) {
            return unclosable(System.out);
        }
        if (writer == ERR) {
            return unclosable(System.err);
        }
        return new Utf8WriterStream(writer);
    }

    private static OutputStream unclosable(PrintStream raw) {
        return new FilterOutputStream(raw) {
            @Override
            public void write(byte[] b, int off, int len) {
                raw.write(b, off, len);
                raw.flush();
            }

            @Override
            public void close() {
                raw.flush();
            }
        };
    }

    /** Decodes UTF-8 as it arrives, keeping a character split across writes until its last byte comes. */
    private static final class Utf8WriterStream extends OutputStream {
        private final Writer writer;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer pending = ByteBuffer.allocate(8192);
        private final CharBuffer chars = CharBuffer.allocate(8192);

        Utf8WriterStream(Writer writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, pending.remaining());
                pending.put(b, off, n);
                off += n;
                len -= n;
                drain(false);
            }
            writer.flush();
        }

        private void drain(boolean end) throws IOException {
            pending.flip();
            while (true) {
                var result = decoder.decode(pending, chars, end);
                chars.flip();
                writer.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
                chars.clear();
                if (!result.isOverflow()) {
                    break;
                }
            }
            pending.compact();
        }

        @Override
        public synchronized void close() throws IOException {
            drain(true);
            decoder.flush(chars);
            chars.flip();
            writer.write(chars.array(), 0, chars.remaining());
            chars.clear();
            writer.flush();
        }
    }
}
