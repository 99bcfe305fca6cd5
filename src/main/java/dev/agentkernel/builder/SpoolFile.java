package dev.agentkernel.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A temporary file in the blob store's scratch directory that file contents are appended to, each then read back
 * as a region (positional reads, so several may be open at once). Named with the owner's tag, so one a killed
 * build left is swept; removed on {@link #close}.
 */
final class SpoolFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private long end;

    SpoolFile(Path scratchDirectory, String what) {
        this.path = scratchDirectory.resolve(what + "-" + dev.agentkernel.store.TemporaryFiles.ownerTag() + "-"
                + UUID.randomUUID());
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path + ": " + e.getMessage(), e);
        }
    }

    /** Appends everything {@code in} gives, at most {@code max} bytes; returns the offset it starts at. */
    long append(InputStream in, long max, String name) throws IOException {
        long start = end;
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > max) {
                throw new IOException(name + " is over " + max + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) {
                end += channel.write(b, end);
            }
        }
        return start;
    }

    /** The number of bytes appended so far. */
    long size() {
        return end;
    }

    /** The bytes at {@code offset}, {@code length} of them. */
    PlannedEntry.Content region(long offset, long length) {
        return SpoolRegion.of(channel, path, offset, length);
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a temporary of ours: swept later
        }
    }
}
