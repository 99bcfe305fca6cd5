package dev.agentkernel.api;

import java.util.function.Consumer;

/** What a route answers: a JSON envelope with a status, or a stream of server-sent events. */
sealed interface Reply {
    /** {@code {"success": true, "data": data}} with {@code status}. */
    record Data(int status, Object data) implements Reply {
    }

    /** {@code text/event-stream}: the writer sends events until it returns. */
    record Events(Consumer<EventSink> writer) implements Reply {
    }

    static Reply ok(Object data) {
        return new Data(200, data);
    }

    static Reply created(Object data) {
        return new Data(201, data);
    }
}
