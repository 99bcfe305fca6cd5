package dev.agentkernel.sandbox;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.CopySink;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.Quote;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One regular file from the guest into memory, at most {@code limit} bytes: the array is made for the size the
 * guest announces once that is checked against the limit, data lands at its offsets (holes stay zero), and
 * anything but a single file is refused.
 */
final class BoundedFileSink implements CopySink {
    private final String path;
    private final int limit;
    private byte[] bytes;
    private boolean ended;

    BoundedFileSink(String path, int limit) {
        this.path = path;
        this.limit = limit;
    }

    @Override
    public void entry(CopyEntry entry) throws IOException {
        if (bytes != null || !entry.path().equals(CopyPaths.ROOT) || entry.kind() != EntryKind.FILE) {
            throw new IOException(Quote.name(path) + " changed while it was read: it is not one regular file");
        }
        if (entry.size() > limit) {
            throw new IOException(Quote.name(path) + " grew to " + entry.size() + " bytes, over the limit of " + limit);
        }
        bytes = new byte[(int) entry.size()];
    }

    @Override
    public void data(long offset, ByteBuffer data) {
        data.get(bytes, (int) offset, data.remaining()); // the receiver checked offset + length <= size
    }

    @Override
    public void end(CopyOutResult result) {
        ended = true;
    }

    byte[] bytes() {
        if (!ended || bytes == null) {
            throw new IllegalStateException("the copy of " + path + " did not end");
        }
        return bytes;
    }
}
