package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The wire form of {@code exec} and its control requests, and the fields of their answers. */
final class ExecRequests {
    private ExecRequests() {
    }

    static ObjectNode exec(ExecSpec spec) {
        ObjectNode node = Wire.object();
        ArrayNode command = node.putArray("command");
        spec.command().forEach(command::add);
        if (spec.cwd() != null) {
            node.put("cwd", spec.cwd());
        }
        if (!spec.env().isEmpty()) {
            ObjectNode env = node.putObject("env");
            spec.env().forEach(env::put);
        }
        if (spec.user() != null) {
            node.put("user", spec.user());
        }
        if (spec.tty()) {
            node.put("tty", true).put("rows", spec.rows()).put("cols", spec.cols());
        }
        if (spec.stdin() && !spec.detach()) {
            node.put("stdin", true);
        }
        if (spec.timeoutMs() > 0) {
            node.put("timeout_ms", spec.timeoutMs());
        }
        if (spec.detach()) {
            node.put("detach", true);
        }
        return node;
    }

    static long startedSession(Reply reply) {
        return reply.body().integer("session", 1, 0xFFFFFFFFL);
    }

    static long startedPid(Reply reply) {
        return reply.body().integer("pid", 1, Integer.MAX_VALUE);
    }

    static ObjectNode signal(long session, String signal) {
        ObjectNode node = Wire.object().put("session", session);
        Signals.put(node, signal);
        return node;
    }

    static ObjectNode resize(long session, int rows, int cols) {
        return Wire.object().put("session", session).put("rows", rows).put("cols", cols);
    }

    static ObjectNode stdinClose(long session) {
        return Wire.object().put("session", session);
    }
}
