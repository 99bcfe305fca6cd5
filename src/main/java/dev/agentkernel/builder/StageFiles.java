package dev.agentkernel.builder;

import dev.agentkernel.layer.ContentRef;
import dev.agentkernel.layer.ContentSink;
import dev.agentkernel.layer.FlatEntry;
import dev.agentkernel.layer.FlatTree;
import dev.agentkernel.layer.Flattener;
import dev.agentkernel.layer.LayerSource;
import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The files of an earlier stage (or an image) that a {@code COPY --from} reads: its layers flattened by the
 * layer package, metadata in a {@link StateTree}, file bytes in a spool file on the host (deleted on close).
 * A hard link is read as the file it names.
 */
final class StageFiles implements AutoCloseable {
    private final Path spoolFile;
    private final FileChannel spool;
    private final Map<String, long[]> content = new HashMap<>();
    private StateTree tree;

    private StageFiles(Path spoolFile) throws IOException {
        this.spoolFile = spoolFile;
        this.spool = FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    static StageFiles of(List<LayerSource> layers, Path scratchDir) {
        StageFiles files = null;
        try {
            files = new StageFiles(scratchDir.resolve("stage-" + TemporaryFiles.ownerTag() + "-" + UUID.randomUUID()));
            StageFiles f = files;
            long[] end = {0};
            FlatTree flat = Flattener.flatten(layers, new ContentSink() {
                @Override
                public ContentRef store(InputStream in, long length) throws IOException {
                    long at = end[0];
                    byte[] buf = new byte[1 << 16];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new IOException("file content ended early");
                        }
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        long pos = at + (length - left);
                        while (bb.hasRemaining()) {
                            pos += f.spool.write(bb, pos);
                        }
                        left -= n;
                    }
                    end[0] += length;
                    return new Region(at, length);
                }

                @Override
                public void discard(ContentRef ref) {
                }
            });
            List<TreeEntry> entries = new ArrayList<>();
            Map<String, FlatEntry> byPath = new HashMap<>();
            for (FlatEntry e : flat.entries()) {
                byPath.put(e.path(), e);
            }
            for (FlatEntry e : flat.entries()) {
                FlatEntry target = e instanceof FlatEntry.HardLink h ? byPath.get(h.targetPath()) : e;
                if (target == null) {
                    continue;
                }
                TreeEntry t = StateTree.fromFlat(target).withPath(e.path());
                entries.add(t);
                if (target instanceof FlatEntry.RegularFile rf && rf.content() instanceof Region r) {
                    files.content.put(e.path(), new long[]{r.offset, r.length});
                }
            }
            files.tree = StateTree.ofEntries(entries);
            return files;
        } catch (IOException e) {
            if (files != null) {
                files.close();
            }
            throw new UncheckedIOException("cannot read the files to copy from: " + e.getMessage(), e);
        }
    }

    StateTree tree() {
        return tree;
    }

    /** The bytes of the file at {@code path}. */
    PlannedEntry.Content content(String path) {
        long[] r = content.get(path);
        if (r == null) {
            return InputStream::nullInputStream;
        }
        return () -> new InputStream() {
            private long pos = r[0];

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= r[0] + r[1]) {
                    return -1;
                }
                int n = spool.read(ByteBuffer.wrap(b, off, (int) Math.min(len, r[0] + r[1] - pos)), pos);
                if (n > 0) {
                    pos += n;
                }
                return n;
            }
        };
    }

    private record Region(long offset, long length) implements ContentRef {
    }

    @Override
    public void close() {
        try {
            spool.close();
            Files.deleteIfExists(spoolFile);
        } catch (IOException ignored) {
            // swept later
        }
    }
}
