package dev.agentkernel.agent;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a copy from the guest goes: its entries in order (the root {@code .} first, a directory before its
 * contents), each file entry followed by its data at increasing offsets below its size (what is not sent is a
 * hole), then the end. Called on the connection's reader thread; an exception ends the copy and the connection.
 */
public interface CopySink {
    void entry(CopyEntry entry) throws IOException;

    /** Bytes of the last file entry at {@code offset}. */
    void data(long offset, ByteBuffer bytes) throws IOException;

    /** Everything has arrived. */
    void end(CopyOutResult result) throws IOException;

    /** Makes the sink once the agent said what the root is (a directory, a file, ...). */
    @FunctionalInterface
    interface Factory {
        CopySink forRoot(EntryKind rootKind);
    }
}
