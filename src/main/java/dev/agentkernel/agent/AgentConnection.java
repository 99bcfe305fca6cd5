package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.VmException;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One connection to the guest agent, protocol version 2 (docs/PROTOCOL.md). A reader thread takes every frame
 * as it arrives and hands it on: responses to the request waiting for them (by id, in order), the attached
 * session's output and exit event to its {@link ExecSession}, a copy's entries and data to its sink. Every
 * frame is checked; the first violation, a lost connection or a wait that runs out closes the connection and
 * fails everything waiting on it with one clear error.
 *
 * <p>Requests may be sent from several threads. At most one attached session and one copy from the guest run
 * at a time (the agent's rule: use another connection for more).
 */
public final class AgentConnection implements Closeable {
    /** How long {@code hello} may take on a running sandbox (the protocol's bound). */
    public static final Duration HELLO_TIMEOUT = Duration.ofSeconds(2);
    /** How long a control request or a file operation may take. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final AgentChannel channel;
    private final Closeable lease;
    private final String label;
    private final AgentHello hello;
    private final PendingCalls pending = new PendingCalls();
    private final ReentrantLock requestOrder = new ReentrantLock();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Liveness liveness;
    private AgentkernelException failure;
    private ExecSession attached;
    private CopyOutReceiver copyOut;

    private AgentConnection(AgentChannel channel, AgentHello hello, String label, Closeable lease, Liveness liveness) {
        this.channel = channel;
        this.liveness = liveness;
        this.hello = hello;
        this.label = label;
        this.lease = lease;
        Thread reader = new Thread(this::readLoop, "agent-reader " + label);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens a connection on {@code channel}: {@code hello} first (discarding what an earlier host left unread),
     * then the reader starts. On failure the channel and the lease are closed.
     *
     * @param label what the connection is, for messages ("port agent-3 of sandbox x")
     * @param lease closed with the connection (the port's lock), or null
     */
    public static AgentConnection open(AgentChannel channel, Duration helloTimeout, String label, Closeable lease) {
        return open(channel, helloTimeout, label, lease, new Liveness());
    }

    static AgentConnection open(AgentChannel channel, Duration helloTimeout, String label, Closeable lease,
                                Liveness liveness) {
        try {
            return new AgentConnection(channel, HelloSync.sync(channel, helloTimeout, label), label, lease, liveness);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            closeQuietly(lease);
            throw e;
        }
    }

    /** A connection without {@code hello}, for version-1 use while a VM boots (the agent may not be up yet). */
    static AgentConnection unsynced(AgentChannel channel) {
        return new AgentConnection(channel, null, "the guest agent's channel", null, new Liveness());
    }

    /** What the agent said in answer to {@code hello}; null on an {@link #unsynced} connection. */
    public AgentHello hello() {
        return hello;
    }

    public String label() {
        return label;
    }

    AgentChannel channel() {
        return channel;
    }

    // ---- version 2: commands ----

    /**
     * Starts an attached command whose stdout and stderr go to the given streams (null: discarded) as they
     * arrive, written and flushed on the reader thread (a slow stream slows the command down, nothing is
     * dropped).
     *
     * @throws ExecStartException when the command cannot start (exit code 126 or 127, as the agent says)
     */
    public ExecSession start(ExecSpec spec, OutputStream stdout, OutputStream stderr) {
        if (spec.detach()) {
            throw new IllegalArgumentException("a detached command is started with startDetached");
        }
        requireVersion2("exec");
        synchronized (this) {
            if (attached != null) {
                throw new IllegalStateException("session " + attached.id() + " is still running on " + label);
            }
        }
        ExecSession[] started = new ExecSession[1];
        Reply reply = call(ExecRequests.exec(spec), "exec", CALL_TIMEOUT, r -> {
            if (!r.isError()) {
                started[0] = new ExecSession(this, ExecRequests.startedSession(r), ExecRequests.startedPid(r), spec,
                        stdout, stderr);
                attach(started[0]);
            }
        });
        if (reply.isError()) {
            throw new ExecStartException(spec.command().get(0), reply);
        }
        return started[0];
    }

    /** Starts a detached command: it runs on when this connection closes; its output goes to its logs. */
    public DetachedProcess startDetached(ExecSpec spec) {
        requireVersion2("exec");
        ExecSpec detached = spec.detach() ? spec : spec.detached();
        Reply reply = call(ExecRequests.exec(detached), "exec", CALL_TIMEOUT, null);
        if (reply.isError()) {
            throw new ExecStartException(spec.command().get(0), reply);
        }
        return new DetachedProcess(ExecRequests.startedSession(reply), ExecRequests.startedPid(reply));
    }

    /** The detached commands of the guest (of every connection), oldest first. */
    public List<DetachedInfo> list() {
        requireVersion2("exec_list");
        return DetachedRequests.list(expectSuccess(call(Wire.object().put("type", "exec_list"), "exec_list",
                CALL_TIMEOUT, null)));
    }

    /** Up to {@code max} bytes of a detached command's stdout or stderr log, from {@code offset}. */
    public LogChunk logs(long session, LogStream stream, long offset, int max) {
        requireVersion2("exec_logs");
        ObjectNode request = DetachedRequests.logs(session, stream, offset, max);
        return DetachedRequests.chunk(expectSuccess(call(request, "exec_logs", CALL_TIMEOUT, null)), offset, max);
    }

    /** Sends {@code signal} (a name such as "TERM", or a number) to a detached command's process group. */
    public void kill(long session, String signal) {
        requireVersion2("exec_kill");
        expectSuccess(call(DetachedRequests.kill(session, signal), "exec_kill", CALL_TIMEOUT, null));
    }

    // ---- version 2: copies ----

    /**
     * Copies the guest's {@code path} (a file, a directory with everything under it, a symlink as a symlink)
     * into the sink that {@code sinks} makes for the root's kind, which the agent names first. Entries and data
     * are handed to the sink on the reader thread, in order. Returns at the copy's end; a guest that sends
     * nothing for a while is pinged, and one that does not answer fails the copy.
     */
    public CopyOutResult copyOut(String path, CopySink.Factory sinks) {
        requireVersion2("copy_out");
        GuestPaths.requireAbsolute(path);
        CompletableFuture<CopyOutResult> done = new CompletableFuture<>();
        synchronized (this) {
            if (copyOut != null) {
                throw new IllegalStateException("a copy from the guest is already running on " + label);
            }
        }
        Reply reply = call(Wire.object().put("type", "copy_out").put("path", path), "copy_out", CALL_TIMEOUT, r -> {
            if (!r.isError()) {
                long id = r.body().integer("copy", 1, 0xFFFFFFFFL);
                EntryKind kind = EntryKind.ofRoot(r.body().string("kind"), r.body().what());
                registerCopyOut(new CopyOutReceiver(id, path, kind, sinks.forRoot(kind), done));
            }
        });
        if (reply.isError()) {
            throw new GuestPathException("cannot copy " + Quote.name(path) + " out of the guest: "
                    + reply.quotedError(), reply.error());
        }
        return liveness.await(this, done, null, "copying " + path + " out of the guest");
    }

    /**
     * What is at the guest's {@code path}, symlinks followed; a path that does not exist is an answer
     * ({@link GuestStat#exists} false), a path the agent cannot look at (a file on the way) a
     * {@link GuestPathException}.
     */
    public GuestStat stat(String path) {
        requireVersion2("stat");
        if (!hello.has("stat")) {
            throw new VmException("the guest agent on " + label + " (version " + hello.agentVersion() + ") has no stat"
                    + " request, which cp needs; recreate the sandbox to get this agentkernel's agent");
        }
        GuestPaths.requireAbsolute(path);
        Reply reply = call(Wire.object().put("path", path), "stat", CALL_TIMEOUT, null);
        if (reply.isError()) {
            throw new GuestPathException("cannot look at " + Quote.name(path) + " in the guest: " + reply.quotedError(),
                    reply.error());
        }
        return GuestStat.fromWire(reply.body());
    }

    /** Starts a copy into the guest's {@code path}; the caller sends the entries and data, then finishes it. */
    public CopyInStream copyIn(String path) {
        return copyIn(path, false);
    }

    /**
     * As {@link #copyIn(String)}; {@code staged}: the agent builds the root under a temporary name beside
     * {@code path} and renames it onto {@code path} only when the copy ends well, removing it otherwise (for a
     * new path, or a non-directory replacing one). Agents without the {@code copy_stage} feature copy in place.
     */
    public CopyInStream copyIn(String path, boolean staged) {
        requireVersion2("copy_in");
        GuestPaths.requireAbsolute(path);
        ObjectNode request = Wire.object().put("type", "copy_in").put("path", path);
        if (staged && hello.has("copy_stage")) {
            request.put("staged", true);
        }
        Reply reply = call(request, "copy_in", CALL_TIMEOUT, null);
        if (reply.isError()) {
            throw new GuestPathException("cannot copy into " + Quote.name(path)
                    + " in the guest: " + reply.quotedError(), reply.error());
        }
        return new CopyInStream(this, reply.body().integer("copy", 1, 0xFFFFFFFFL), path);
    }

    // ---- requests ----

    /**
     * Sends a request and waits for its response, at most {@code timeout} (null: no bound of its own; the
     * connection's failure still ends the wait). The response's checks and {@code onReader} (may be null) run on
     * the reader thread before any later frame is handed on. A timeout closes the connection: a late answer
     * would put every later one out of step.
     */
    Reply call(ObjectNode request, String type, Duration timeout, Consumer<Reply> onReader) {
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        CompletableFuture<Reply> result = send(request, type, deadline, onReader);
        try {
            return timeout == null ? result.get() : result.get(Math.max(1, Duration.between(Instant.now(),
                    deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            VmException timedOut = new VmException("the guest agent on " + label + " did not answer the " + type
                    + " request within " + timeout.toSeconds() + " s; the connection was closed");
            fail(timedOut);
            throw timedOut;
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while waiting for the guest agent's answer to " + type, e);
        }
    }

    /** Sends a request; its response completes the future (or the connection's failure fails it). */
    CompletableFuture<Reply> send(ObjectNode request, String type, Instant deadline, Consumer<Reply> onReader) {
        String id = Long.toString(nextId.getAndIncrement());
        request.put("id", id);
        request.put("type", type);
        CompletableFuture<Reply> result = new CompletableFuture<>();
        byte[] payload = Wire.encode(request);
        lockRequestOrder(deadline, type);
        try {
            pending.add(new PendingCalls.Call(id, type, result, onReader));
            if (!result.isDone()) {
                channel.send(deadline, ByteBuffer.wrap(payload));
            }
        } catch (IOException e) {
            fail(lost(e, "sending the " + type + " request"));
        } finally {
            requestOrder.unlock();
        }
        return result;
    }

    /** Sends an object that gets no response (a copy's entry). */
    void sendEvent(ObjectNode event, Instant deadline) {
        byte[] payload = Wire.encode(event);
        sendFrame(deadline, "a copy entry", ByteBuffer.wrap(payload));
    }

    /** Sends a data frame of {@code kind} for {@code stream}. */
    void sendData(int kind, long stream, long offset, byte[] bytes, int from, int length, Instant deadline) {
        if (length > AgentChannel.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("a data frame carries at most " + AgentChannel.MAX_DATA_BYTES + " bytes");
        }
        sendFrame(deadline, "data", Wire.dataHeader(kind, stream, offset), ByteBuffer.wrap(bytes, from, length));
    }

    private void sendFrame(Instant deadline, String what, ByteBuffer... parts) {
        AgentkernelException failed = failure();
        if (failed != null) {
            throw failed;
        }
        try {
            channel.send(deadline, parts);
        } catch (IOException e) {
            VmException lost = lost(e, "sending " + what);
            fail(lost);
            throw failure();
        }
    }

    private void lockRequestOrder(Instant deadline, String type) {
        try {
            long waitMs = deadline == null ? Long.MAX_VALUE : Math.max(0, Duration.between(Instant.now(), deadline)
                    .toMillis());
            if (!requestOrder.tryLock(waitMs, TimeUnit.MILLISECONDS)) {
                VmException stuck = new VmException("could not send the " + type + " request to the guest agent on "
                        + label + " in time: it does not take what was sent before; the connection was closed");
                fail(stuck);
                throw stuck;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while sending to the guest agent", e);
        }
    }

    static Reply expectSuccess(Reply reply) {
        if (reply.isError()) {
            throw new VmException("the guest agent could not do " + reply.type() + ": " + reply.quotedError());
        }
        return reply;
    }

    private void requireVersion2(String what) {
        if (hello == null || hello.protocol() < 2) {
            throw new VmException("the guest agent on " + label + " speaks protocol version "
                    + (hello == null ? "unknown" : hello.protocol()) + "; " + what + " needs version 2 (the agent of"
                    + " this agentkernel: convert the image again)");
        }
    }

    // ---- the reader ----

    private void readLoop() {
        try {
            while (true) {
                byte[] payload = channel.receive(null);
                liveness.frameArrived();
                dispatch(Wire.decode(payload));
            }
        } catch (AgentkernelException e) {
            fail(e);
        } catch (AgentChannel.FrameTooLargeException e) {
            fail(new AgentProtocolException(e.getMessage(), e));
        } catch (IOException e) {
            fail(lost(e, null));
        } catch (RuntimeException | Error e) {
            fail(new VmException("internal error while reading from the guest agent on " + label + ": " + e, e));
        }
    }

    private void dispatch(Frame frame) throws IOException {
        if (frame instanceof Frame.Data data) {
            routeData(data);
            return;
        }
        ObjectNode node = ((Frame.Json) frame).node();
        if (node.has("event")) {
            routeEvent(node);
        } else if (node.has("id")) {
            routeResponse(node);
        } else {
            throw new AgentProtocolException("it sent a JSON object with neither 'id' nor 'event'");
        }
    }

    private void routeResponse(ObjectNode node) {
        if (node.get("id").isNull()) {
            String error = new WireObject(node, "an answer without id").optText("error");
            throw new AgentProtocolException("it reported an error that answers no request: "
                    + Quote.text(error));
        }
        String id = new WireObject(node, "an answer").string("id");
        PendingCalls.Call call = pending.take(id);
        try {
            Reply reply = Reply.of(id, call.type(), new WireObject(node, "its answer to " + call.type()));
            if (call.onReader() != null) {
                call.onReader().accept(reply);
            }
            call.result().complete(reply);
        } catch (AgentkernelException e) {
            call.result().completeExceptionally(e);
            throw e;
        }
    }

    private void routeEvent(ObjectNode node) throws IOException {
        String event = new WireObject(node, "an event").string("event");
        WireObject body = new WireObject(node, "its " + event + " event");
        if (node.has("id")) {
            throw new AgentProtocolException("it sent a " + Quote.name(event)
                    + " event with an id (events have none)");
        }
        switch (event) {
            case "exit" -> {
                long session = body.integer("session", 1, 0xFFFFFFFFL);
                ExitStatus status = ExitStatus.of(body);
                ExecSession s;
                synchronized (this) {
                    s = attached;
                    if (s == null || s.id() != session) {
                        throw unknown("an exit event", "session", session);
                    }
                    attached = null;
                }
                s.exited(status);
            }
            case "entry" -> {
                CopyOutReceiver r = copyReceiver(body.integer("copy", 1, 0xFFFFFFFFL), "an entry event");
                inSink(() -> r.entry(body));
            }
            case "copy_end" -> {
                CopyOutReceiver r = copyReceiver(body.integer("copy", 1, 0xFFFFFFFFL), "a copy_end event");
                synchronized (this) {
                    copyOut = null;
                }
                try {
                    inSink(() -> r.end(body));
                } catch (AgentkernelException e) {
                    r.lost(e); // no longer registered, so the connection's failure would not reach it
                    throw e;
                }
            }
            default -> throw new AgentProtocolException("it sent an unknown event "
                    + Quote.name(event));
        }
    }

    private void routeData(Frame.Data data) throws IOException {
        switch (data.kind()) {
            case Frame.Data.STDOUT, Frame.Data.STDERR -> {
                ExecSession s;
                synchronized (this) {
                    s = attached;
                }
                if (s == null || s.id() != data.stream()) {
                    throw unknown("output", "session", data.stream());
                }
                inSink(() -> s.output(data));
            }
            case Frame.Data.FILE -> {
                CopyOutReceiver r = copyReceiver(data.stream(), "file data");
                inSink(() -> r.data(data));
            }
            default -> throw new AgentProtocolException("it sent a data frame of kind " + data.kind()
                    + " (the guest sends only 1 stdout, 2 stderr and 4 file data)");
        }
    }

    private synchronized CopyOutReceiver copyReceiver(long id, String what) {
        if (copyOut == null || copyOut.id() != id) {
            throw unknown(what, "copy", id);
        }
        return copyOut;
    }

    private static AgentProtocolException unknown(String what, String kind, long id) {
        return new AgentProtocolException("it sent " + what + " for " + kind + " " + id
                + ", which is not running on this connection");
    }

    /** Work on the reader thread that writes to a sink of ours: its time does not count as the guest's silence. */
    private void inSink(SinkWork work) throws IOException {
        liveness.enterSink();
        try {
            work.run();
        } finally {
            liveness.leaveSink();
        }
    }

    @FunctionalInterface
    private interface SinkWork {
        void run() throws IOException;
    }

    // ---- state ----

    private synchronized void attach(ExecSession session) {
        if (failure != null) {
            session.lost(failure);
        } else {
            attached = session;
        }
    }

    private synchronized void registerCopyOut(CopyOutReceiver receiver) {
        if (failure != null) {
            receiver.lost(failure);
        } else {
            copyOut = receiver;
        }
    }

    synchronized AgentkernelException failure() {
        return failure;
    }

    Liveness liveness() {
        return liveness;
    }

    /** Ends the connection with {@code e}: the first failure wins, and everything waiting gets it. */
    void fail(AgentkernelException e) {
        ExecSession session;
        CopyOutReceiver receiver;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
            session = attached;
            receiver = copyOut;
            attached = null;
            copyOut = null;
        }
        pending.failAll(e);
        closeQuietly(channel);
        if (session != null) {
            session.lost(e);
        }
        if (receiver != null) {
            receiver.lost(e);
        }
    }

    private VmException lost(IOException e, String during) {
        String where = during == null ? "" : " while " + during;
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return new VmException("the connection to the guest agent on " + label + " was closed" + where, e);
        }
        if (e instanceof EOFException) {
            return new VmException("the guest agent on " + label + " closed the connection" + where
                    + " (did the sandbox stop?)", e);
        }
        if (e instanceof InterruptedIOException) {
            return new VmException("interrupted while talking to the guest agent on " + label, e);
        }
        return new VmException("lost the connection to the guest agent on " + label + where + ": " + e.getMessage(), e);
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new VmException("the guest agent failed: " + cause, cause);
    }

    /** Closes the connection (the agent then ends this connection's attached session) and releases its port. */
    @Override
    public void close() {
        fail(new VmException("the connection to the guest agent on " + label + " was closed"));
        closeQuietly(lease);
    }

    /** Whether the connection still works. */
    public boolean isOpen() {
        return failure() == null;
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            // closing on the way out; the error that led here is the one to report
        }
    }
}
