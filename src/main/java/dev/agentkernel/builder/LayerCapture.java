package dev.agentkernel.builder;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.CopySink;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A RUN step's upper directory as it arrives from the guest (copy_out), turned into the layer's entries: a
 * 0:0 character device is a whiteout, a directory the step's metadata lists as opaque gets the opaque marker,
 * the listed extended attributes are attached. File bytes go to a spool file on the host first, so the layer
 * can be written sorted by path (the guest sends directory order). The guest is untrusted: entry counts and
 * metadata are bounded, and everything is checked again by the copy protocol's reader.
 */
final class LayerCapture implements CopySink, AutoCloseable {
    private static final int MAX_ENTRIES = 4_000_000;

    private final Path spoolFile;
    private final FileChannel spool;
    private final Map<String, Long> offsets = new HashMap<>();
    private final Map<String, TreeEntry> entries = new TreeMap<>();
    private final java.util.Set<String> opaque = new java.util.HashSet<>();
    private final Map<String, Map<String, byte[]>> xattrs = new HashMap<>();
    private long spoolEnd;
    private long fileBase = -1;

    LayerCapture(Path spoolFile) {
        this.spoolFile = spoolFile;
        try {
            this.spool = FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + spoolFile + ": " + e.getMessage(), e);
        }
    }

    /** The NUL-separated records {@code agent build-run} wrote (see guest/buildstep.c). */
    void metadata(byte[] meta) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < meta.length; i++) {
            if (meta[i] == 0) {
                fields.add(new String(meta, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        for (int i = 0; i < fields.size(); ) {
            String tag = fields.get(i);
            if (tag.equals("O") && i + 1 < fields.size()) {
                opaque.add(normalize(fields.get(i + 1)));
                i += 2;
            } else if (tag.equals("X") && i + 3 < fields.size()) {
                byte[] value;
                try {
                    value = HexFormat.of().parseHex(fields.get(i + 3));
                } catch (IllegalArgumentException e) {
                    throw new VmException("the build VM's layer metadata has a bad value for " + fields.get(i + 2));
                }
                xattrs.computeIfAbsent(normalize(fields.get(i + 1)), k -> new TreeMap<>()).put(fields.get(i + 2), value);
                i += 4;
            } else {
                throw new VmException("the build VM's layer metadata is malformed (record " + tag + ")");
            }
        }
    }

    private static String normalize(String path) {
        return path.equals(".") ? "" : path;
    }

    @Override
    public void entry(CopyEntry e) throws IOException {
        if (entries.size() >= MAX_ENTRIES) {
            throw new IOException("a RUN step's layer has over " + MAX_ENTRIES + " entries");
        }
        fileBase = -1;
        if (e.path().equals(".")) {
            return; // the upper directory itself: its metadata is the builder's, not the image's
        }
        String path = e.path();
        TreeEntry entry = switch (e.kind()) {
            case FILE -> new TreeEntry(path, TreeEntry.Kind.FILE, e.mode(), e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), e.size(), null, 0, 0, null);
            case DIR -> new TreeEntry(path, TreeEntry.Kind.DIR, e.mode(), e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), 0, null, 0, 0, null);
            case SYMLINK -> new TreeEntry(path, TreeEntry.Kind.SYMLINK, 0777, e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), 0, e.target(), 0, 0, null);
            case HARDLINK -> new TreeEntry(path, TreeEntry.Kind.HARDLINK, 0, 0, 0, 0, 0, 0, e.target(), 0, 0, null);
            case FIFO -> new TreeEntry(path, TreeEntry.Kind.FIFO, e.mode(), e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), 0, null, 0, 0, null);
            case CHAR -> e.rdevMajor() == 0 && e.rdevMinor() == 0 ? TreeEntry.whiteout(path)
                    : new TreeEntry(path, TreeEntry.Kind.CHAR, e.mode(), e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), 0, null, e.rdevMajor(), e.rdevMinor(), null);
            case BLOCK -> new TreeEntry(path, TreeEntry.Kind.BLOCK, e.mode(), e.uid(), e.gid(), e.mtimeSeconds(),
                    e.mtimeNanos(), 0, null, e.rdevMajor(), e.rdevMinor(), null);
        };
        if (entry.kind() == TreeEntry.Kind.HARDLINK) {
            TreeEntry target = entries.get(entry.linkTarget());
            if (target != null && target.kind() == TreeEntry.Kind.WHITEOUT) {
                // overlayfs shares one whiteout inode among the whiteouts it makes: a "link" to one is a whiteout
                entry = TreeEntry.whiteout(path);
            }
        }
        entries.put(path, entry);
        if (e.kind() == EntryKind.FILE) {
            fileBase = spoolEnd;
            offsets.put(path, spoolEnd);
            spoolEnd += e.size();
        }
    }

    @Override
    public void data(long offset, ByteBuffer bytes) throws IOException {
        if (fileBase < 0) {
            throw new IOException("file data without a file entry");
        }
        long at = fileBase + offset;
        while (bytes.hasRemaining()) {
            at += spool.write(bytes, at);
        }
    }

    @Override
    public void end(CopyOutResult result) {
    }

    /**
     * The guest sends no blocks of zeros, so the last file's trailing zeros were never written: one zero byte at the
     * spool's end makes them a hole of the file, which reads as zeros, and the spool holds every byte it promises.
     */
    private void fillToEnd() {
        try {
            if (spool.size() < spoolEnd) {
                spool.write(ByteBuffer.wrap(new byte[1]), spoolEnd - 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extend " + spoolFile + " to " + spoolEnd + " bytes: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The layer's entries sorted by path: whiteouts, opaque markers right after their directory, extended
     * attributes attached, and hard links pointing at the first name of their inode in that order.
     */
    List<PlannedEntry> entries() {
        fillToEnd();
        Map<String, String> firstName = new HashMap<>();
        List<PlannedEntry> out = new ArrayList<>();
        // a hard link's target is the name the guest sent first; sorted, another name of the inode may come first
        Map<String, List<String>> groups = new HashMap<>();
        for (TreeEntry e : entries.values()) {
            if (e.kind() == TreeEntry.Kind.HARDLINK) {
                groups.computeIfAbsent(e.linkTarget(), k -> new ArrayList<>()).add(e.path());
            }
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            String first = g.getKey();
            for (String p : g.getValue()) {
                if (p.compareTo(first) < 0) {
                    first = p;
                }
            }
            firstName.put(g.getKey(), first);
            for (String p : g.getValue()) {
                firstName.put(p, first);
            }
        }
        for (TreeEntry e : entries.values()) {
            TreeEntry entry = e;
            Path content = null;
            String inode = e.kind() == TreeEntry.Kind.HARDLINK ? e.linkTarget() : e.path();
            String first = firstName.get(inode);
            if (first != null && entries.get(inode) != null) {
                TreeEntry file = entries.get(inode);
                if (e.path().equals(first)) {
                    entry = file.withPath(first);
                    inode = file.path();
                } else {
                    entry = new TreeEntry(e.path(), TreeEntry.Kind.HARDLINK, 0, 0, 0, 0, 0, 0, first, 0, 0, null);
                }
            }
            if (xattrs.containsKey(e.path()) && entry.kind() != TreeEntry.Kind.HARDLINK) {
                entry = entry.withXattrs(xattrs.get(e.path()));
            }
            long offset = entry.kind() == TreeEntry.Kind.FILE ? offsets.getOrDefault(inode, -1L) : -1L;
            out.add(offset < 0 || entry.size() == 0 ? PlannedEntry.of(entry)
                    : new PlannedEntry(entry, SpoolRegion.of(spool, spoolFile, offset, entry.size())));
            if (entry.kind() == TreeEntry.Kind.DIR && opaque.contains(e.path())) {
                out.add(PlannedEntry.of(TreeEntry.opaque(e.path())));
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            spool.close();
            Files.deleteIfExists(spoolFile);
        } catch (IOException ignored) {
            // a temporary of ours: swept later
        }
    }
}
