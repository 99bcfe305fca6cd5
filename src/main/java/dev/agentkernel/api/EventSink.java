package dev.agentkernel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events to one client, each flushed as it is sent. Safe to use from several threads (a heartbeat
 * beside the writer). A client that went away makes every later call throw {@link UncheckedIOException}.
 */
final class EventSink {
    private final OutputStream out;
    private final ObjectMapper json;
    private boolean broken;

    EventSink(OutputStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    /** {@code event: type} with {@code data} as one line of JSON. */
    synchronized void send(String type, Object data) {
        String line;
        try {
            line = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event could not be encoded", e);
        }
        write("event: " + type + "\ndata: " + line + "\n\n");
    }

    /** A comment line, which clients ignore: it finds out whether the client is still there. */
    synchronized void heartbeat() {
        write(":\n\n");
    }

    synchronized boolean broken() {
        return broken;
    }

    private void write(String text) {
        if (broken) {
            throw new UncheckedIOException(new IOException("the client has gone"));
        }
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw new UncheckedIOException(e);
        }
    }
}
