package dev.agentkernel.agent;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.VmException;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long the guest has been quiet on a connection: the time since its last frame, not counting time the
 * reader spent writing to our own sinks (a terminal paused with Ctrl-S is not a dead guest). Long waits use
 * it: a quiet guest is pinged, and one that stays quiet with a ping unanswered is declared gone.
 */
final class Liveness {
    static final Duration PING_AFTER = Duration.ofSeconds(10);
    static final Duration GONE_AFTER = Duration.ofSeconds(40);
    private static final long POLL_MS = 200;

    private final Duration pingAfter;
    private final Duration goneAfter;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean inSink;
    /** Sends of data that may block for long on purpose (stdin a process does not read yet). */
    private final AtomicInteger blockingWriters = new AtomicInteger();

    Liveness() {
        this(PING_AFTER, GONE_AFTER);
    }

    /** Other bounds, for tests. */
    Liveness(Duration pingAfter, Duration goneAfter) {
        this.pingAfter = pingAfter;
        this.goneAfter = goneAfter;
    }

    void frameArrived() {
        lastActivity = System.nanoTime();
    }

    void enterSink() {
        inSink = true;
    }

    void leaveSink() {
        lastActivity = System.nanoTime();
        inSink = false;
    }

    void enterBlockingWrite() {
        blockingWriters.incrementAndGet();
    }

    void leaveBlockingWrite() {
        blockingWriters.decrementAndGet();
        lastActivity = System.nanoTime();
    }

    /** Quiet time that counts: none while we hold the guest up ourselves. */
    Duration quiet() {
        if (inSink || blockingWriters.get() > 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(System.nanoTime() - lastActivity);
    }

    /**
     * Waits for {@code future} until {@code timeout} (null: no bound of its own) while checking that the guest
     * is there. A timeout throws {@link WaitTimeoutException} and leaves the connection open.
     */
    <T> T await(AgentConnection connection, CompletableFuture<T> future, Duration timeout, String what) {
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        CompletableFuture<Reply> ping = null;
        while (true) {
            try {
                return future.get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // check below
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r
                        : new VmException("the guest agent failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while " + what, e);
            }
            if (deadline != null && Instant.now().isAfter(deadline)) {
                throw new WaitTimeoutException(what + " did not end within " + timeout.toSeconds() + " s");
            }
            if (ping != null && ping.isDone()) {
                ping = null;
            }
            Duration quiet = quiet();
            if (ping == null && quiet.compareTo(pingAfter) > 0) {
                ping = connection.send(Wire.object(), "ping", Instant.now().plus(goneAfter), null);
            } else if (ping != null && quiet.compareTo(goneAfter) > 0) {
                AgentkernelException gone = new VmException("the guest agent on " + connection.label() + " sent nothing for "
                        + goneAfter.toMillis() / 1000.0 + " s and did not answer a ping while " + what
                        + "; the connection was closed (is the sandbox still running?)");
                connection.fail(gone);
                throw gone;
            }
        }
    }

    /** A wait that ran out of its own time; the connection stays usable. */
    static final class WaitTimeoutException extends VmException {
        WaitTimeoutException(String message) {
            super(message);
        }
    }
}
