package dev.agentkernel.layer;

import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.testing.Umoci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers: flatten fixture layers, describe the result as a {@link TreeSnapshot}, compare with umoci. */
final class FlatTrees {
    private FlatTrees() {
    }

    record Flattened(FlatTree tree, MemorySink sink, Map<String, TreeSnapshot.Entry> snapshot) {
        FlatEntry get(String path) {
            return tree.entries().stream().filter(e -> e.path().equals(path)).findFirst().orElse(null);
        }

        String content(String path) {
            FlatEntry e = get(path);
            if (e instanceof FlatEntry.HardLink link) {
                e = get(link.targetPath());
            }
            return new String(((MemorySink.Ref) ((FlatEntry.RegularFile) e).content()).bytes);
        }
    }

    /** Sources reading the blobs of a written layout. */
    static List<LayerSource> sources(OciLayoutWriter.Written image, List<OciLayoutWriter.Layer> layers) {
        List<LayerSource> sources = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Path blob = image.blob(image.layers().get(i));
            sources.add(new LayerSource("layer " + (i + 1), layers.get(i).mediaType(), () -> Files.newInputStream(blob)));
        }
        return sources;
    }

    static Flattened flatten(List<LayerSource> sources) throws IOException {
        MemorySink sink = new MemorySink();
        FlatTree tree = Flattener.flatten(sources, sink);
        return new Flattened(tree, sink, snapshot(tree));
    }

    /** Writes the layers as an OCI layout, flattens them, unpacks them with umoci and asserts the trees agree. */
    static Flattened assertSameAsUmoci(Path tmp, List<OciLayoutWriter.Layer> layers) throws Exception {
        return assertSameAsUmoci(tmp, layers, TreeSnapshot.Options.ALL);
    }

    static Flattened assertSameAsUmoci(Path tmp, List<OciLayoutWriter.Layer> layers, TreeSnapshot.Options options)
            throws Exception {
        OciLayoutWriter.Written image = OciLayoutWriter.write(tmp.resolve("layout"), "test", layers);
        Flattened ours = flatten(sources(image, layers));
        // umoci 0.4.7 reads no zstd: it gets the same tars gzipped
        List<OciLayoutWriter.Layer> forUmoci = layers.stream()
                .map(l -> l.mediaType().equals(OciLayoutWriter.TAR_ZSTD) ? OciLayoutWriter.Layer.gzip(l.tar()) : l)
                .toList();
        OciLayoutWriter.Written reference = OciLayoutWriter.write(tmp.resolve("layout-umoci"), "test", forUmoci);
        Map<String, TreeSnapshot.Entry> theirs = TreeSnapshot.ofDirectory(Umoci.unpack(reference.dir(), "test",
                tmp.resolve("umoci")));
        List<String> differences = TreeSnapshot.differences(theirs, comparable(ours.tree(), ours.snapshot()), options);
        assertThat(differences).as("differences from umoci (expected = umoci)").isEmpty();
        return ours;
    }

    /** The snapshot, with the mtimes of implied directories (unpackers give them the time of unpacking) unset. */
    static Map<String, TreeSnapshot.Entry> comparable(FlatTree tree, Map<String, TreeSnapshot.Entry> snapshot) {
        Map<String, TreeSnapshot.Entry> out = new TreeMap<>(snapshot);
        for (FlatEntry e : tree.entries()) {
            if (e instanceof FlatEntry.Directory d && d.implied()) {
                TreeSnapshot.Entry s = out.get(d.path());
                out.put(d.path(), new TreeSnapshot.Entry('d', s.mode(), s.uid(), s.gid(), 0, null, null, s.xattrs(),
                        0, 0, null, List.of()));
            }
        }
        return out;
    }

    static Map<String, TreeSnapshot.Entry> snapshot(FlatTree tree) {
        Map<String, TreeSnapshot.Entry> out = new TreeMap<>();
        Map<String, FlatEntry> byPath = new HashMap<>();
        Map<String, TreeSet<String>> groups = new HashMap<>();
        for (FlatEntry e : tree.entries()) {
            byPath.put(e.path(), e);
            if (e instanceof FlatEntry.HardLink link) {
                groups.computeIfAbsent(link.targetPath(), k -> new TreeSet<>(List.of(k))).add(link.path());
            }
        }
        for (FlatEntry e : tree.entries()) {
            FlatEntry inode = e instanceof FlatEntry.HardLink link ? byPath.get(link.targetPath()) : e;
            out.put(e.path(), entry(inode));
        }
        for (TreeSet<String> group : groups.values()) {
            for (String path : group) {
                out.put(path, TreeSnapshot.withLinkGroup(out.get(path), List.copyOf(group)));
            }
        }
        return out;
    }

    private static TreeSnapshot.Entry entry(FlatEntry e) {
        if (e instanceof FlatEntry.Directory d) {
            return of('d', d.metadata(), 0, null, null, 0, 0);
        } else if (e instanceof FlatEntry.RegularFile f) {
            return of('f', f.metadata(), f.size(), TreeSnapshot.sha256(((MemorySink.Ref) f.content()).bytes), null, 0, 0);
        } else if (e instanceof FlatEntry.Symlink l) {
            return of('l', l.metadata(), 0, null, l.target(), 0, 0);
        } else if (e instanceof FlatEntry.Device d) {
            return of(d.block() ? 'b' : 'c', d.metadata(), 0, null, null, d.major(), d.minor());
        } else if (e instanceof FlatEntry.Fifo p) {
            return of('p', p.metadata(), 0, null, null, 0, 0);
        }
        throw new IllegalArgumentException("resolve hard links first: " + e);
    }

    private static TreeSnapshot.Entry of(char type, EntryMetadata m, long size, String sha, String target, int major,
                                         int minor) {
        Map<String, String> xattrs = new TreeMap<>();
        m.xattrs().forEach((k, v) -> xattrs.put(k, HexFormat.of().formatHex(v)));
        return new TreeSnapshot.Entry(type, m.mode(), m.uid(), m.gid(), size, sha, target, xattrs, major, minor,
                m.mtime(), List.of());
    }
}
