package dev.agentkernel.api;

import dev.agentkernel.errors.Quote;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The server's log on stderr: a line per request (method, path, status, milliseconds) and notable events. */
final class RequestLog {
    private final PrintStream out;

    RequestLog(PrintStream out) {
        this.out = out;
    }

    void request(String method, String path, int status, long millis) {
        line(method + " " + Quote.escape(path, Quote.MAX_CHARS) + " " + status + " " + millis + " ms");
    }

    void note(String text) {
        line(text);
    }

    private void line(String text) {
        synchronized (out) {
            out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + text);
            out.flush();
        }
    }
}
