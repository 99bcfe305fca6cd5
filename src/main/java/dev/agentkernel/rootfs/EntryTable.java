package dev.agentkernel.rootfs;

import dev.agentkernel.layer.FlatEntry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The flattened tree by path, where rootfs assembly adds and replaces entries. Removing a path removes its
 * subtree; a removed file that hard links still name is handed over to the first of them, so the links keep
 * their content; content nobody names any more goes to {@code orphaned} (to be discarded from the image).
 */
final class EntryTable {
    private final Map<String, FlatEntry> entries = new LinkedHashMap<>();

    EntryTable(List<FlatEntry> flat) {
        for (FlatEntry e : flat) {
            entries.put(e.path(), e);
        }
    }

    Optional<FlatEntry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    List<FlatEntry> entries() {
        return new ArrayList<>(entries.values());
    }

    int size() {
        return entries.size();
    }

    /** Adds an entry at a path that must be free. */
    void add(FlatEntry e) {
        if (entries.putIfAbsent(e.path(), e) != null) {
            throw new IllegalStateException("path already present: " + e.path());
        }
    }

    /** Removes {@code path} and everything below it; returns whether anything was there. */
    boolean remove(String path, Consumer<FlatEntry.RegularFile> orphaned) {
        if (!entries.containsKey(path)) {
            return false;
        }
        String prefix = path + "/";
        List<FlatEntry> removed = new ArrayList<>();
        for (Iterator<Map.Entry<String, FlatEntry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, FlatEntry> e = it.next();
            if (e.getKey().equals(path) || e.getKey().startsWith(prefix)) {
                removed.add(e.getValue());
                it.remove();
            }
        }
        for (FlatEntry e : removed) {
            if (e instanceof FlatEntry.RegularFile file && !handOverToLinks(file)) {
                orphaned.accept(file);
            } else if (!(e instanceof FlatEntry.HardLink) && !(e instanceof FlatEntry.RegularFile)) {
                handOverToLinks(e);
            }
        }
        return true;
    }

    /** Makes the first remaining hard link to {@code e} the entry itself and re-targets the others at it. */
    private boolean handOverToLinks(FlatEntry e) {
        String heir = null;
        for (Map.Entry<String, FlatEntry> entry : entries.entrySet()) {
            if (entry.getValue() instanceof FlatEntry.HardLink link && link.targetPath().equals(e.path())) {
                if (heir == null) {
                    heir = link.path();
                    entry.setValue(moved(e, heir));
                } else {
                    entry.setValue(new FlatEntry.HardLink(link.path(), heir));
                }
            }
        }
        return heir != null;
    }

    private static FlatEntry moved(FlatEntry e, String path) {
        if (e instanceof FlatEntry.RegularFile f) {
            return new FlatEntry.RegularFile(path, f.metadata(), f.size(), f.content());
        } else if (e instanceof FlatEntry.Symlink s) {
            return new FlatEntry.Symlink(path, s.metadata(), s.target());
        } else if (e instanceof FlatEntry.Device d) {
            return new FlatEntry.Device(path, d.metadata(), d.block(), d.major(), d.minor());
        } else if (e instanceof FlatEntry.Fifo f) {
            return new FlatEntry.Fifo(path, f.metadata());
        }
        throw new IllegalArgumentException("cannot hard link a " + e.getClass().getSimpleName());
    }
}
