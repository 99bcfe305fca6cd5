package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The wire form of {@code exec_list}, {@code exec_logs} and {@code exec_kill}, and their answers checked. */
final class DetachedRequests {
    /** The agent's largest {@code exec_logs} answer. */
    static final int MAX_LOG_CHUNK = 1 << 20;
    private static final int MAX_SESSIONS = 100_000;
    private static final int MAX_ARGS = 65_536;
    private static final int MAX_ARG_CHARS = 1 << 20;

    private DetachedRequests() {
    }

    static List<DetachedInfo> list(Reply reply) {
        List<DetachedInfo> infos = new ArrayList<>();
        for (WireObject s : reply.body().objects("sessions", MAX_SESSIONS, "a session")) {
            infos.add(new DetachedInfo(s.integer("session", 1, 0xFFFFFFFFL), s.strings("command", MAX_ARGS, MAX_ARG_CHARS),
                    s.integer("pid", 0, Integer.MAX_VALUE), s.bool("running"),
                    s.has("exit_code") ? (int) s.integer("exit_code", 0, 255) : null,
                    (int) s.optInteger("signal", 1, 127, 0), s.optBoolean("timed_out", false),
                    time(s, "started_at"), time(s, "ended_at")));
        }
        return infos;
    }

    private static Instant time(WireObject object, String field) {
        String text = object.optString(field);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw AgentProtocolException.field(object.what(), field, "is not an RFC 3339 time", null);
        }
    }

    static ObjectNode logs(long session, LogStream stream, long offset, int max) {
        if (offset < 0 || max < 1) {
            throw new IllegalArgumentException("a log is read from an offset of 0 or more, at least 1 byte at a time");
        }
        return Wire.object().put("session", session).put("stream", stream.wire()).put("offset", offset)
                .put("max", Math.min(max, MAX_LOG_CHUNK));
    }

    static LogChunk chunk(Reply reply, long offset, int max) {
        WireObject body = reply.body();
        byte[] content = body.base64("content_base64");
        long next = body.integer("offset", 0, Long.MAX_VALUE);
        if (content.length > Math.min(max, MAX_LOG_CHUNK) || next != offset + content.length) {
            throw AgentProtocolException.field(body.what(), "offset", "does not follow from the request's offset "
                    + offset + " and the " + content.length + " bytes sent", null);
        }
        return new LogChunk(content, next, body.bool("eof"), body.bool("running"), body.optBoolean("truncated", false));
    }

    static ObjectNode kill(long session, String signal) {
        ObjectNode node = Wire.object().put("session", session);
        Signals.put(node, signal);
        return node;
    }
}
