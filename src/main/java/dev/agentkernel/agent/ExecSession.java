package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A command running attached to its connection: its output streams to the host's streams as it arrives, the
 * host may send stdin, signals and terminal sizes, and {@link #waitFor} returns how it ended. Closing the
 * connection ends it (the agent kills its process group). A lost connection ends it with a clear error.
 */
public final class ExecSession {
    /** Bytes of stdin per data frame. */
    static final int STDIN_CHUNK = 64 << 10;

    private final AgentConnection connection;
    private final long id;
    private final long pid;
    private final ExecSpec spec;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Object stdinLock = new Object();
    private long stdoutNext;
    private long stderrNext;
    private long stdinNext;
    private boolean stdinClosed;

    ExecSession(AgentConnection connection, long id, long pid, ExecSpec spec, OutputStream stdout,
                OutputStream stderr) {
        this.connection = connection;
        this.id = id;
        this.pid = pid;
        this.spec = spec;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The session number the agent gave it (unique for the life of the guest). */
    public long id() {
        return id;
    }

    /** Its process id in the guest. */
    public long pid() {
        return pid;
    }

    /**
     * Sends stdin (it must have been asked for, or a terminal). Blocks while the agent holds as much as it takes
     * for a process that does not read; after the command ended the bytes are dropped.
     */
    public void writeStdin(byte[] bytes, int from, int length) {
        if (!spec.takesStdin()) {
            throw new IllegalStateException("the command was started without stdin");
        }
        synchronized (stdinLock) {
            if (stdinClosed) {
                throw new IllegalStateException("stdin was closed");
            }
            for (int done = 0; done < length && !exit.isDone(); ) {
                int n = Math.min(STDIN_CHUNK, length - done);
                connection.liveness().enterBlockingWrite();
                try {
                    connection.sendData(Frame.Data.STDIN, id, stdinNext, bytes, from + done, n, null);
                } finally {
                    connection.liveness().leaveBlockingWrite();
                }
                stdinNext += n;
                done += n;
            }
        }
    }

    public void writeStdin(byte[] bytes) {
        writeStdin(bytes, 0, bytes.length);
    }

    /** Ends stdin (EOF; with a terminal, its EOF character once). Nothing happens once the command has ended. */
    public void closeStdin() {
        synchronized (stdinLock) {
            if (stdinClosed || exit.isDone()) {
                stdinClosed = true;
                return;
            }
            stdinClosed = true;
        }
        control("stdin_close", ExecRequests.stdinClose(id));
    }

    /** Sends everything {@code in} gives until its end, then closes stdin; stops early when the command ends. */
    public void pumpStdin(InputStream in) throws IOException {
        byte[] buffer = new byte[STDIN_CHUNK];
        for (int n; !exit.isDone() && (n = in.read(buffer)) >= 0; ) {
            writeStdin(buffer, 0, n);
        }
        closeStdin();
    }

    /** Sends a signal ("INT", "TERM", "9") to the command's process group. */
    public void signal(String signal) {
        control("signal", ExecRequests.signal(id, signal));
    }

    /** Sets the terminal's size (the process gets SIGWINCH). */
    public void resize(int rows, int cols) {
        if (rows < 1 || rows > 65535 || cols < 1 || cols > 65535) {
            throw new IllegalArgumentException("a terminal has 1 to 65535 rows and columns, not " + rows + "x" + cols);
        }
        control("resize", ExecRequests.resize(id, rows, cols));
    }

    /** A control request; an error answer after the command ended is expected (it raced the exit) and ignored. */
    private void control(String type, com.fasterxml.jackson.databind.node.ObjectNode request) {
        Reply reply = connection.call(request, type, AgentConnection.CALL_TIMEOUT, null);
        if (reply.isError() && !exit.isDone()) {
            throw new VmException("the guest agent refused " + type + " for the command: " + reply.quotedError());
        }
    }

    /**
     * Waits for the command's end, at most {@code timeout} (null: as long as it runs, while the guest answers
     * pings). All of its output has been written to the streams when this returns.
     *
     * @throws VmException when the connection was lost, the guest stopped answering, or the time ran out (the
     *                     command then still runs)
     */
    public ExitStatus waitFor(Duration timeout) {
        return connection.liveness().await(connection, exit, timeout, "running " + commandName());
    }

    /** How it ended, if it has. */
    public Optional<ExitStatus> exitStatus() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? Optional.of(exit.join()) : Optional.empty();
    }

    private String commandName() {
        return Quote.name(spec.command().get(0));
    }

    // ---- from the reader thread ----

    void output(Frame.Data data) {
        boolean isStdout = data.kind() == Frame.Data.STDOUT;
        if (!isStdout && spec.tty()) {
            throw new AgentProtocolException("it sent stderr for session " + id + ", which has a terminal");
        }
        long expected = isStdout ? stdoutNext : stderrNext;
        if (data.offset() != expected) {
            throw new AgentProtocolException("it sent " + (isStdout ? "stdout" : "stderr") + " of session " + id
                    + " at offset " + data.offset() + " where " + expected + " was next");
        }
        if (isStdout) {
            stdoutNext += data.length();
        } else {
            stderrNext += data.length();
        }
        OutputStream sink = isStdout ? stdout : stderr;
        if (sink == null) {
            return;
        }
        try {
            sink.write(data.payload(), AgentChannel.DATA_HEADER_BYTES, data.length());
            sink.flush();
        } catch (IOException e) {
            throw new AgentkernelException("could not pass on the " + (isStdout ? "stdout" : "stderr") + " of "
                    + commandName() + ": " + e.getMessage() + "; the command was stopped", e);
        }
    }

    void exited(ExitStatus status) {
        flushQuietly(stdout);
        flushQuietly(stderr);
        exit.complete(status);
    }

    void lost(AgentkernelException cause) {
        flushQuietly(stdout);
        flushQuietly(stderr);
        exit.completeExceptionally(cause);
    }

    private static void flushQuietly(OutputStream out) {
        if (out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException ignored) {
            // the stream's own failure was reported when writing to it
        }
    }
}
