package dev.agentkernel.builder;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.layer.ContentRef;
import dev.agentkernel.layer.ContentSink;
import dev.agentkernel.layer.EntryMetadata;
import dev.agentkernel.layer.FlatEntry;
import dev.agentkernel.layer.FlatTree;
import dev.agentkernel.layer.Flattener;
import dev.agentkernel.layer.LayerSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a stage's file system holds after its steps so far, as metadata (no file content, except the few small
 * files the builder reads: {@code /etc/passwd} and {@code /etc/group} for {@code --chown} names): made from the
 * base's layers by the flattener, then updated with every layer the builder writes. COPY uses it to resolve
 * its destination as the reference does (symlinks followed inside the image's root) and to give existing
 * parent directories their own metadata.
 */
final class StateTree {
    private static final Set<String> KEPT = Set.of("etc/passwd", "etc/group");
    private static final int MAX_KEPT = 4 << 20;

    private final NavigableMap<String, TreeEntry> entries = new TreeMap<>();
    private final Map<String, byte[]> kept = new HashMap<>();

    private StateTree() {
    }

    static StateTree empty() {
        StateTree t = new StateTree();
        t.entries.put("", TreeEntry.directory("", 0755, 0, 0, 0));
        return t;
    }

    /** The state of an image's layers, base first. */
    static StateTree of(List<LayerSource> layers) {
        StateTree t = empty();
        if (layers.isEmpty()) {
            return t;
        }
        try {
            FlatTree tree = Flattener.flatten(layers, new KeepSmall());
            for (FlatEntry e : tree.entries()) {
                TreeEntry entry = fromFlat(e);
                t.entries.put(entry.path(), entry);
                if (e instanceof FlatEntry.RegularFile f && f.content() instanceof Kept k && k.bytes != null
                        && KEPT.contains(f.path())) {
                    t.kept.put(f.path(), k.bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base image's layers: " + e.getMessage(), e);
        }
        return t;
    }

    StateTree copy() {
        StateTree t = new StateTree();
        t.entries.putAll(entries);
        t.kept.putAll(kept);
        return t;
    }

    Optional<TreeEntry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** The content of a small file the tree keeps ({@code etc/passwd}, {@code etc/group}). */
    Optional<String> keptText(String path) {
        return Optional.ofNullable(kept.get(path)).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * Applies a layer: whiteouts and opaque markers first (they refer to what lower layers hold), then the
     * entries. {@code content} gives the bytes of a kept file the layer writes (null: unknown, dropped).
     */
    void apply(List<TreeEntry> layer, java.util.function.Function<TreeEntry, byte[]> content) {
        for (TreeEntry e : layer) {
            if (e.kind() == TreeEntry.Kind.WHITEOUT) {
                removeTree(e.path(), true);
            } else if (e.kind() == TreeEntry.Kind.OPAQUE) {
                removeTree(e.path(), false);
            }
        }
        for (TreeEntry e : layer) {
            if (e.kind() == TreeEntry.Kind.WHITEOUT || e.kind() == TreeEntry.Kind.OPAQUE) {
                continue;
            }
            TreeEntry old = entries.get(e.path());
            if (old != null && old.kind() == TreeEntry.Kind.DIR && e.kind() != TreeEntry.Kind.DIR) {
                removeTree(e.path(), true);
            }
            entries.put(e.path(), e);
            if (KEPT.contains(e.path())) {
                byte[] bytes = e.kind() == TreeEntry.Kind.FILE ? content.apply(e) : null;
                if (bytes == null) {
                    kept.remove(e.path());
                } else {
                    kept.put(e.path(), bytes);
                }
            }
        }
    }

    private void removeTree(String path, boolean itself) {
        if (itself) {
            entries.remove(path);
            kept.remove(path);
        }
        String prefix = path.isEmpty() ? "" : path + "/";
        List<String> below = new ArrayList<>(entries.subMap(prefix, true, prefix + Character.MAX_VALUE, true).keySet());
        below.remove(path);
        for (String p : below) {
            if (!p.isEmpty()) {
                entries.remove(p);
                kept.remove(p);
            }
        }
    }

    /**
     * Resolves an absolute path in the image as a process chrooted into it would: symlinks in every component
     * followed (also the last when {@code followLast}), {@code ..} stopping at the root. Returns the path
     * relative to the root ("" for the root).
     */
    String resolve(String absolute, boolean followLast) {
        List<String> done = new ArrayList<>();
        List<String> todo = new ArrayList<>(List.of(absolute.split("/")));
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(part);
            TreeEntry e = entries.get(String.join("/", done));
            boolean last = todo.stream().allMatch(p -> p.isEmpty() || p.equals("."));
            if (e != null && e.kind() == TreeEntry.Kind.SYMLINK && (followLast || !last)) {
                if (++links > 40) {
                    throw new UserInputException("too many levels of symbolic links in " + absolute);
                }
                done.remove(done.size() - 1);
                String target = e.linkTarget();
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> next = new ArrayList<>(List.of(target.split("/")));
                next.addAll(todo);
                todo = next;
            }
        }
        return String.join("/", done);
    }

    /** The names directly in directory {@code dir}, sorted. */
    List<String> children(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        List<String> out = new ArrayList<>();
        for (String p : entries.subMap(prefix, false, prefix + Character.MAX_VALUE, true).keySet()) {
            if (!p.isEmpty() && p.startsWith(prefix) && p.indexOf('/', prefix.length()) < 0) {
                out.add(p.substring(prefix.length()));
            }
        }
        return out;
    }

    /** Every path, sorted. */
    java.util.Set<String> paths() {
        return entries.keySet();
    }

    /** A tree of the given entries (a flattened image's), the root added when missing. */
    static StateTree ofEntries(List<TreeEntry> list) {
        StateTree t = empty();
        for (TreeEntry e : list) {
            t.entries.put(e.path(), e);
        }
        return t;
    }

    boolean isDirectory(String path) {
        TreeEntry e = entries.get(path);
        return e != null && e.kind() == TreeEntry.Kind.DIR;
    }

    static TreeEntry fromFlat(FlatEntry e) {
        if (e instanceof FlatEntry.HardLink h) {
            return new TreeEntry(h.path(), TreeEntry.Kind.HARDLINK, 0, 0, 0, 0, 0, 0, h.targetPath(), 0, 0, null);
        }
        EntryMetadata m = e instanceof FlatEntry.Directory d ? d.metadata()
                : e instanceof FlatEntry.RegularFile f ? f.metadata()
                : e instanceof FlatEntry.Symlink s ? s.metadata()
                : e instanceof FlatEntry.Device d ? d.metadata()
                : ((FlatEntry.Fifo) e).metadata();
        long secs = m.mtime().getEpochSecond();
        int nanos = m.mtime().getNano();
        if (e instanceof FlatEntry.Directory) {
            return new TreeEntry(e.path(), TreeEntry.Kind.DIR, m.mode(), m.uid(), m.gid(), secs, nanos, 0, null, 0, 0,
                    m.xattrs());
        } else if (e instanceof FlatEntry.RegularFile f) {
            return new TreeEntry(e.path(), TreeEntry.Kind.FILE, m.mode(), m.uid(), m.gid(), secs, nanos, f.size(), null,
                    0, 0, m.xattrs());
        } else if (e instanceof FlatEntry.Symlink s) {
            return new TreeEntry(e.path(), TreeEntry.Kind.SYMLINK, m.mode(), m.uid(), m.gid(), secs, nanos, 0,
                    s.target(), 0, 0, m.xattrs());
        } else if (e instanceof FlatEntry.Device d) {
            return new TreeEntry(e.path(), d.block() ? TreeEntry.Kind.BLOCK : TreeEntry.Kind.CHAR, m.mode(), m.uid(),
                    m.gid(), secs, nanos, 0, null, d.major(), d.minor(), m.xattrs());
        }
        return new TreeEntry(e.path(), TreeEntry.Kind.FIFO, m.mode(), m.uid(), m.gid(), secs, nanos, 0, null, 0, 0,
                m.xattrs());
    }

    /** Keeps the bytes of small files (the kept ones are among them); skips the rest. */
    private static final class KeepSmall implements ContentSink {
        @Override
        public ContentRef store(InputStream in, long length) throws IOException {
            if (length <= MAX_KEPT && length <= 64 * 1024) {
                return new Kept(in.readNBytes((int) length));
            }
            in.skipNBytes(length);
            return new Kept(null);
        }

        @Override
        public void discard(ContentRef ref) {
        }
    }

    private record Kept(byte[] bytes) implements ContentRef {
    }
}
