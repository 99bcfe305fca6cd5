package dev.agentkernel.layer;

import dev.agentkernel.errors.ImageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges an image's layers into one {@link FlatTree}, with the OCI image-spec semantics, in one streaming pass.
 *
 * <ol>
 *   <li><b>Read newest first.</b> Each layer is inflated once, on its own thread ({@link InflatingPipe}); the
 *   next one starts inflating while this one is parsed. A regular file's bytes go to the {@link ContentSink}
 *   unless an upper layer certainly replaces or deletes its path ({@link UpperPaths}), so deleted data is
 *   normally never written at all. Only metadata is kept: memory grows with entries, not sizes.</li>
 *   <li><b>Merge exactly.</b> {@link TreeBuilder} applies the recorded entries oldest first, resolving
 *   symlinked parent directories, which only the complete picture allows.</li>
 *   <li><b>Settle content.</b> Stored content that the merge finds hidden is discarded (the sink zeroes it);
 *   content that survives but was skipped (a hard link to a file an upper layer deleted) is fetched by
 *   reading that one layer again.</li>
 * </ol>
 */
public final class Flattener {
    private final List<LayerSource> layers;
    private final ContentSink sink;
    private final FlattenListener listener;
    private final Map<Long, ContentRef> stored = new HashMap<>();
    private final Map<Long, Long> storedSizes = new HashMap<>();
    private long storedBytes;

    private Flattener(List<LayerSource> layers, ContentSink sink, FlattenListener listener) {
        this.layers = List.copyOf(layers);
        this.sink = sink;
        this.listener = listener;
    }

    /** Flattens {@code layers} (in manifest order, base first) into a tree whose file content is in {@code sink}. */
    public static FlatTree flatten(List<LayerSource> layers, ContentSink sink) throws IOException {
        return flatten(layers, sink, FlattenListener.NONE);
    }

    public static FlatTree flatten(List<LayerSource> layers, ContentSink sink, FlattenListener listener)
            throws IOException {
        return new Flattener(layers, sink, listener).run();
    }

    private FlatTree run() throws IOException {
        List<List<LayerEntry>> entries = readNewestFirst();
        TreeBuilder tree = new TreeBuilder(layers.stream().map(LayerSource::name).toList());
        for (List<LayerEntry> layer : entries) {
            for (LayerEntry e : layer) {
                tree.apply(e);
            }
        }
        List<TreeBuilder.Placed> placed = tree.walk();
        fetchSkippedContent(placed);
        return assemble(placed);
    }

    private List<List<LayerEntry>> readNewestFirst() throws IOException {
        int count = layers.size();
        List<List<LayerEntry>> entries = new ArrayList<>(Collections.nCopies(count, List.of()));
        UpperPaths upper = new UpperPaths();
        InflatingPipe next = count > 0 ? InflatingPipe.start(layers.get(count - 1)) : null;
        try {
            for (int i = count - 1; i >= 0; i--) {
                InflatingPipe pipe = next;
                next = i > 0 ? InflatingPipe.start(layers.get(i - 1)) : null; // inflate ahead
                try (pipe) {
                    listener.layerStarted(i, layers.get(i));
                    entries.set(i, readLayer(i, pipe, upper));
                    listener.layerFinished(i, layers.get(i), pipe.compressedBytes(), entries.get(i).size());
                }
                upper.addLayer(entries.get(i));
            }
        } finally {
            if (next != null) {
                next.close();
            }
        }
        return entries;
    }

    private List<LayerEntry> readLayer(int position, InflatingPipe pipe, UpperPaths upper) throws IOException {
        String name = layers.get(position).name();
        InputStream tarStream = layers.get(position).uncompressed().apply(pipe);
        boolean read = false;
        try {
            TarReader tar = new TarReader(tarStream, name);
            List<LayerEntry> entries = new ArrayList<>();
            int ordinal = 0;
            for (TarHeader header; (header = tar.next()) != null; ordinal++) {
                LayerEntry e = LayerEntry.of(header, position, ordinal, name);
                if (e == null) {
                    continue;
                }
                if (e.kind() == LayerEntry.Kind.REGULAR && !upper.hidesFile(e.path())) {
                    store(e, tar);
                }
                entries.add(e);
            }
            drainToEnd(tarStream, pipe);
            read = true;
            return entries;
        } finally {
            if (!read) {
                abandon(tarStream, pipe);
            }
        }
    }

    /**
     * After a failure: stops inflating, then closes the layer's tar stream, so whatever it runs (the diff_id's
     * hashing thread) ends too. The pipe is closed first, so the stream has little left to read. A long-lived
     * process converts many images: a failed one must leave no thread behind.
     */
    private static void abandon(InputStream tarStream, InflatingPipe pipe) {
        pipe.close();
        try {
            tarStream.close();
        } catch (IOException | RuntimeException ignored) {
            // the conversion has failed already; this is only clean-up
        }
    }

    /**
     * Reads the rest of the layer, so checks at its end (gzip trailer, blob digest, diff_id) run and report.
     * The uncompressed check runs here, on this thread, leaving the inflating thread to inflate.
     */
    private static void drainToEnd(InputStream tarStream, InflatingPipe pipe) throws IOException {
        tarStream.transferTo(OutputStream.nullOutputStream());
        pipe.drainToEnd();
    }

    private void store(LayerEntry e, TarReader tar) throws IOException {
        long key = key(e.layer(), e.ordinal()); // stored at most once: the re-reading only fetches what is missing
        InputStream content = tar.content();
        stored.put(key, content instanceof SparseInputStream sparse && sparse.position() == 0
                ? sink.storeSparse(sparse.data(), e.size(), sparse.segments())
                : sink.store(content, e.size()));
        storedSizes.put(key, e.size());
        storedBytes += e.size();
    }

    /** Reads again, once per layer concerned, the content of surviving files the first reading skipped. */
    private void fetchSkippedContent(List<TreeBuilder.Placed> placed) throws IOException {
        Map<Integer, Set<Integer>> missing = new HashMap<>();
        for (TreeBuilder.Placed p : placed) {
            LayerEntry e = p.node().inode.entry;
            if (e != null && e.kind() == LayerEntry.Kind.REGULAR && !stored.containsKey(key(e.layer(), e.ordinal()))) {
                missing.computeIfAbsent(e.layer(), l -> new HashSet<>()).add(e.ordinal());
            }
        }
        for (int position = layers.size() - 1; position >= 0; position--) {
            Set<Integer> wanted = missing.get(position);
            if (wanted == null) {
                continue;
            }
            String name = layers.get(position).name();
            try (InflatingPipe pipe = InflatingPipe.start(layers.get(position))) {
                InputStream tarStream = layers.get(position).uncompressed().apply(pipe);
                try {
                    fetchFrom(position, name, wanted, pipe, tarStream);
                } catch (IOException | RuntimeException e) {
                    abandon(tarStream, pipe);
                    throw e;
                }
            }
        }
    }

    private void fetchFrom(int position, String name, Set<Integer> wanted, InflatingPipe pipe, InputStream tarStream)
            throws IOException {
        TarReader tar = new TarReader(tarStream, name);
        int ordinal = 0;
        int found = 0;
        for (TarHeader header; (header = tar.next()) != null; ordinal++) {
            if (wanted.contains(ordinal)) {
                LayerEntry e = LayerEntry.of(header, position, ordinal, name);
                store(e, tar);
                found++;
            }
        }
        drainToEnd(tarStream, pipe);
        if (found != wanted.size()) {
            throw new ImageException(name + " changed while it was being read (its second reading has "
                    + ordinal + " entries)");
        }
    }

    private FlatTree assemble(List<TreeBuilder.Placed> placed) throws IOException {
        List<FlatEntry> out = new ArrayList<>(placed.size());
        Map<TreeBuilder.Inode, String> firstPaths = new IdentityHashMap<>();
        Set<Long> used = new HashSet<>();
        for (TreeBuilder.Placed p : placed) {
            TreeBuilder.Inode inode = p.node().inode;
            String first = firstPaths.putIfAbsent(inode, p.path());
            if (first != null && !p.node().isDirectory()) {
                out.add(new FlatEntry.HardLink(p.path(), first));
                continue;
            }
            LayerEntry e = inode.entry;
            if (e == null) {
                out.add(new FlatEntry.Directory(p.path(), EntryMetadata.IMPLIED_DIRECTORY, true));
                continue;
            }
            out.add(switch (e.kind()) {
                case DIRECTORY -> new FlatEntry.Directory(p.path(), e.metadata(), false);
                case REGULAR -> {
                    long key = key(e.layer(), e.ordinal());
                    used.add(key);
                    yield new FlatEntry.RegularFile(p.path(), e.metadata(), e.size(), stored.get(key));
                }
                case SYMLINK -> new FlatEntry.Symlink(p.path(), e.metadata(), e.link());
                case CHAR_DEVICE -> new FlatEntry.Device(p.path(), e.metadata(), false, e.major(), e.minor());
                case BLOCK_DEVICE -> new FlatEntry.Device(p.path(), e.metadata(), true, e.major(), e.minor());
                case FIFO -> new FlatEntry.Fifo(p.path(), e.metadata());
                default -> throw new IllegalStateException("a " + e.kind() + " cannot be in the tree");
            });
        }
        long discardedBytes = 0;
        List<Long> unused = new ArrayList<>(stored.keySet());
        Collections.sort(unused); // deterministic order of discards
        for (long key : unused) {
            if (!used.contains(key)) {
                sink.discard(stored.get(key));
                discardedBytes += storedSizes.get(key);
            }
        }
        return new FlatTree(out, storedBytes, discardedBytes);
    }

    private static long key(int layer, int ordinal) {
        return (long) layer << 32 | (ordinal & 0xffffffffL);
    }
}
