package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.AgentkernelException;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The requests sent on a connection and not answered yet, oldest first: the agent answers in the order the
 * requests arrived, so every response must be for the oldest one.
 */
final class PendingCalls {
    /** A request waiting for its response; {@code onReader} runs on the reader thread before the next frame. */
    record Call(String id, String type, CompletableFuture<Reply> result, Consumer<Reply> onReader) {
    }

    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private AgentkernelException failure;

    /** Adds a call, or fails it at once when the connection has failed. */
    synchronized void add(Call call) {
        if (failure != null) {
            call.result().completeExceptionally(failure);
            return;
        }
        queue.addLast(call);
    }

    /** The call a response with {@code id} answers: the oldest one, or a protocol error. */
    synchronized Call take(String id) {
        Call head = queue.peekFirst();
        if (head == null) {
            throw new AgentProtocolException("it answered request " + shown(id) + ", which is not waiting for an answer");
        }
        if (!head.id().equals(id)) {
            throw new AgentProtocolException("it answered request " + shown(id) + " while request " + head.id()
                    + " (" + head.type() + ") was the next to be answered");
        }
        return queue.pollFirst();
    }

    /** Fails every waiting call and every later one. */
    synchronized void failAll(AgentkernelException e) {
        if (failure == null) {
            failure = e;
        }
        for (Call call : queue) {
            call.result().completeExceptionally(failure);
        }
        queue.clear();
    }


    private static String shown(String id) {
        return Quote.name(id);
    }
}
