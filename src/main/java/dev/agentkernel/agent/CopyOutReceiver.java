package dev.agentkernel.agent;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The guest's side of one {@code copy_out}, checked on the reader thread before the sink sees it: the root
 * {@code .} first and once, of the kind the answer named; file data only after a file entry, at increasing
 * offsets below its size; an end whose counts match what arrived.
 */
final class CopyOutReceiver {
    private static final int MAX_SKIPPED_LISTED = 1000;

    private final long id;
    private final String path;
    private final EntryKind rootKind;
    private final CopySink sink;
    private final CompletableFuture<CopyOutResult> done;
    private boolean rootSeen;
    private CopyEntry file;
    private long fileNext;
    private long entries;
    private long bytes;

    CopyOutReceiver(long id, String path, EntryKind rootKind, CopySink sink, CompletableFuture<CopyOutResult> done) {
        this.id = id;
        this.path = path;
        this.rootKind = rootKind;
        this.sink = sink;
        this.done = done;
    }

    long id() {
        return id;
    }

    void entry(WireObject event) {
        CopyEntry entry = CopyEntry.fromWire(event);
        boolean root = entry.path().equals(CopyPaths.ROOT);
        if (root == rootSeen) {
            throw new AgentProtocolException("in copy " + id + ", " + (root ? "the root entry '.' came twice"
                    : "the first entry is " + Quote.name(entry.path()) + ", not the root '.'"));
        }
        if (root && entry.kind() != rootKind) {
            throw new AgentProtocolException("in copy " + id + ", the root entry is a " + entry.kind().wire()
                    + " where the answer to copy_out said " + rootKind.wire());
        }
        rootSeen = true;
        file = entry.kind() == EntryKind.FILE ? entry : null;
        fileNext = 0;
        entries++;
        toSink(() -> sink.entry(entry));
    }

    void data(Frame.Data data) {
        if (file == null) {
            throw new AgentProtocolException("in copy " + id + ", file data came after an entry that is not a file");
        }
        long end = data.offset() + data.length();
        if (data.offset() < fileNext || end > file.size()) {
            throw new AgentProtocolException("in copy " + id + ", data for " + Quote.name(file.path()) + " at offset "
                    + data.offset() + " (" + data.length() + " bytes) is out of order or beyond its size of "
                    + file.size());
        }
        fileNext = end;
        bytes += data.length();
        toSink(() -> sink.data(data.offset(), data.bytes()));
    }

    void end(WireObject event) {
        long sentEntries = event.integer("entries", 0, Long.MAX_VALUE);
        long sentBytes = event.integer("bytes", 0, Long.MAX_VALUE);
        List<String> skipped = event.has("skipped") ? event.strings("skipped", MAX_SKIPPED_LISTED, 8192) : List.of();
        long skippedCount = event.optInteger("skipped_count", skipped.size(), Long.MAX_VALUE, skipped.size());
        String error = event.optText("error");
        if (error != null) {
            done.completeExceptionally(new VmException("the guest could not copy all of " + Quote.name(path) + ": "
                    + Quote.escape(error, 400)));
            return;
        }
        if (!rootSeen) {
            throw new AgentProtocolException("copy " + id + " ended without its root entry");
        }
        if (sentEntries != entries || sentBytes != bytes) {
            throw new AgentProtocolException("copy " + id + " ended saying " + sentEntries + " entries and " + sentBytes
                    + " bytes were sent, but " + entries + " entries and " + bytes + " bytes came");
        }
        CopyOutResult result = new CopyOutResult(rootKind, entries, bytes, skipped, skippedCount);
        toSink(() -> sink.end(result));
        done.complete(result);
    }

    void lost(AgentkernelException cause) {
        done.completeExceptionally(cause);
    }

    private void toSink(SinkCall call) {
        try {
            call.run();
        } catch (IOException e) {
            throw new AgentkernelException("could not write the copy of " + Quote.name(path) + " on the host: "
                    + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SinkCall {
        void run() throws IOException;
    }
}
