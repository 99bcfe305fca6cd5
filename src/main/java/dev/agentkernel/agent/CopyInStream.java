package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;

import java.time.Instant;

/**
 * A copy into the guest being sent: entries in order (the root {@code .} first, a directory before its
 * contents), each file's data after its entry at increasing offsets below its size (what is not sent stays a
 * hole), then {@link #finish}. Each frame must be taken by the guest within a file operation's time.
 */
public final class CopyInStream {
    /** Bytes of file data per frame (the protocol's advice: 256 KiB or less). */
    public static final int CHUNK = 256 << 10;

    private final AgentConnection connection;
    private final long id;
    private final String path;
    private boolean rootSent;
    private CopyEntry file;
    private long fileNext;
    private long entries;
    private long bytes;
    private boolean finished;

    CopyInStream(AgentConnection connection, long id, String path) {
        this.connection = connection;
        this.id = id;
        this.path = path;
    }

    public void entry(CopyEntry entry) {
        requireOpen();
        boolean root = entry.path().equals(CopyPaths.ROOT);
        if (root == rootSent) {
            throw new IllegalStateException(root ? "the root entry was sent already"
                    : "the first entry must be the root '.'");
        }
        if (root && entry.kind() == EntryKind.HARDLINK) {
            throw new IllegalArgumentException("the root of a copy cannot be a hard link");
        }
        rootSent = true;
        connection.sendEvent(entry.toWire(id), deadline());
        file = entry.kind() == EntryKind.FILE ? entry : null;
        fileNext = 0;
        entries++;
    }

    /** Bytes of the last file entry at {@code offset}, in frames of at most {@value #CHUNK} bytes. */
    public void data(long offset, byte[] buffer, int from, int length) {
        requireOpen();
        if (file == null) {
            throw new IllegalStateException("file data needs a file entry before it");
        }
        if (offset < fileNext || offset + length > file.size()) {
            throw new IllegalArgumentException("data at " + offset + " (" + length + " bytes) is out of order or beyond "
                    + file.path() + "'s size of " + file.size());
        }
        for (int done = 0; done < length; ) {
            int n = Math.min(CHUNK, length - done);
            connection.sendData(Frame.Data.FILE, id, offset + done, buffer, from + done, n, deadline());
            done += n;
        }
        fileNext = offset + length;
        bytes += length;
    }

    /** Ends the copy; the agent sets the directories' modes and mtimes and answers with what it wrote. */
    public CopyInResult finish() {
        requireOpen();
        finished = true;
        Reply reply = connection.call(Wire.object().put("copy", id), "copy_end", AgentConnection.CALL_TIMEOUT, null);
        if (reply.isError()) {
            throw new GuestPathException("the guest could not write " + Quote.name(path) + ": " + reply.quotedError(),
                    reply.error());
        }
        long wrote = reply.body().integer("entries", 0, Long.MAX_VALUE);
        long wroteBytes = reply.body().integer("bytes", 0, Long.MAX_VALUE);
        if (wrote != entries || wroteBytes != bytes) {
            AgentProtocolException e = new AgentProtocolException("it answered copy_end with " + wrote + " entries and " + wroteBytes
                    + " bytes written, but " + entries + " entries and " + bytes + " bytes were sent");
            connection.fail(e);
            throw e;
        }
        return new CopyInResult(wrote, wroteBytes);
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("the copy is finished");
        }
    }

    private static Instant deadline() {
        return Instant.now().plus(AgentConnection.CALL_TIMEOUT);
    }
}
