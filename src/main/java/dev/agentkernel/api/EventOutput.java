package dev.agentkernel.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A command's stdout or stderr as {@code output {data, stream}} events, one per chunk the guest sends. A UTF-8
 * character split between two chunks is held back until it is whole; bytes that are not UTF-8 are sent as
 * U+FFFD. A client that has gone is not this stream's business: the heartbeat notices it and stops the run.
 */
final class EventOutput extends OutputStream {
    private final EventSink sink;
    private final String stream;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    EventOutput(EventSink sink, String stream) {
        this.sink = sink;
        this.stream = stream;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        pending.write(b, off, len);
        byte[] all = pending.toByteArray();
        int end = completeUpTo(all);
        if (end == 0) {
            return;
        }
        pending.reset();
        pending.write(all, end, all.length - end);
        send(new String(all, 0, end, StandardCharsets.UTF_8));
    }

    /** Sends what is held back (an incomplete character at the very end becomes U+FFFD). */
    @Override
    public synchronized void close() {
        if (pending.size() > 0) {
            send(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
    }

    private void send(String data) {
        try {
            sink.send("output", Map.of("data", data, "stream", stream));
        } catch (UncheckedIOException gone) {
            // the heartbeat ends the run
        }
    }

    /** The length of the longest prefix that does not end inside a UTF-8 sequence. */
    static int completeUpTo(byte[] b) {
        int i = b.length;
        int back = 0;
        while (i > 0 && back < 3 && (b[i - 1] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i == 0) {
            return b.length;
        }
        int lead = b[i - 1] & 0xFF;
        int need = lead >= 0xF0 && lead < 0xF8 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
        if (lead < 0x80) {
            return b.length;
        }
        return back >= need ? b.length : i - 1;
    }
}
