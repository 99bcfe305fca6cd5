package dev.agentkernel.ext4;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A tree to write in tests, kept as plain data so the same model drives the writer and predicts what e2fsck,
 * debugfs and a mounted image must show. File contents are generated from a seed (with optional holes), so
 * large files cost no memory.
 */
final class TreeModel {
    /**
     * How a file's bytes are made: {@code size} bytes; {@code holeEvery} n > 0 leaves every n-th block zero,
     * n < 0 leaves all but every |n|-th block zero, 0 none.
     */
    record Content(long size, long seed, int holeEvery) {
        InputStream open() {
            return new GeneratedStream(this);
        }

        String sha256() {
            try (InputStream in = open()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    sealed interface Node {
        String path();
    }

    record Dir(String path, Metadata meta) implements Node {
    }

    record File(String path, Metadata meta, Content content) implements Node {
    }

    record Symlink(String path, Metadata meta, String target) implements Node {
    }

    record HardLink(String path, String target) implements Node {
    }

    record Device(String path, Metadata meta, boolean block, int major, int minor) implements Node {
    }

    record Fifo(String path, Metadata meta) implements Node {
    }

    record Socket(String path, Metadata meta) implements Node {
    }

    final Map<String, Node> nodes = new TreeMap<>();

    TreeModel add(Node node) {
        if (nodes.putIfAbsent(node.path(), node) != null) {
            throw new IllegalArgumentException("duplicate " + node.path());
        }
        return this;
    }

    /** Writes every node (contents first, in path order) and finishes. */
    Ext4Result write(java.nio.file.Path image, Ext4Options options) throws IOException {
        try (Ext4Writer w = Ext4Writer.create(image, options)) {
            for (Node n : nodes.values()) {
                w.add(toEntry(w, n));
            }
            return w.finish();
        }
    }

    static Ext4Entry toEntry(Ext4Writer w, Node n) throws IOException {
        if (n instanceof Dir d) {
            return new Ext4Entry.Directory(d.path(), d.meta());
        } else if (n instanceof File f) {
            try (InputStream in = f.content().open()) {
                return new Ext4Entry.RegularFile(f.path(), f.meta(), w.writeContent(in, f.content().size()));
            }
        } else if (n instanceof Symlink s) {
            return new Ext4Entry.Symlink(s.path(), s.meta(), s.target());
        } else if (n instanceof HardLink h) {
            return new Ext4Entry.HardLink(h.path(), h.target());
        } else if (n instanceof Device d) {
            return new Ext4Entry.Device(d.path(), d.meta(), d.block(), d.major(), d.minor());
        }
        if (n instanceof Socket so) {
            return new Ext4Entry.Socket(so.path(), so.meta());
        }
        Fifo f = (Fifo) n;
        return new Ext4Entry.Fifo(f.path(), f.meta());
    }

    /**
     * What a walk of the mounted image must find: path to a description of type, permissions, owner, times,
     * size, content hash or target or device, link count and xattrs. Implied parents and lost+found included.
     */
    Map<String, String> expectedWalk(Timestamp defaultTime) {
        Map<String, Node> resolved = new TreeMap<>(nodes);
        Metadata implied = Metadata.of(0755, 0, 0, defaultTime);
        for (String path : nodes.keySet()) {
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                resolved.putIfAbsent(path.substring(0, slash), new Dir(path.substring(0, slash), implied));
            }
        }
        resolved.putIfAbsent("lost+found", new Dir("lost+found", Metadata.of(0700, 0, 0, defaultTime)));
        resolved.putIfAbsent("", new Dir("", implied));
        Map<String, Integer> links = new TreeMap<>();
        Map<String, Integer> subdirs = new TreeMap<>();
        for (Node n : resolved.values()) {
            String target = n instanceof HardLink h ? finalTarget(h) : n.path();
            links.merge(target, 1, Integer::sum);
            if (n instanceof Dir && !n.path().isEmpty()) {
                subdirs.merge(parent(n.path()), 1, Integer::sum);
            }
        }
        Map<String, String> walk = new TreeMap<>();
        for (Node n : resolved.values()) {
            Node t = n instanceof HardLink h ? nodes.get(finalTarget(h)) : n;
            int nlink = t instanceof Dir ? 2 + subdirs.getOrDefault(t.path(), 0) : links.get(t.path());
            if (t instanceof Dir && nlink > 65000) {
                nlink = 1;
            }
            walk.put(n.path(), describe(t, nlink));
        }
        return walk;
    }

    private String finalTarget(HardLink h) {
        Node n = h;
        while (n instanceof HardLink link) {
            n = nodes.get(link.target());
        }
        return n.path();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static String describe(Node n, int nlink) {
        Metadata m = metadataOf(n);
        String kind;
        if (n instanceof Dir) {
            kind = "dir";
        } else if (n instanceof File f) {
            kind = "file size=" + f.content().size() + " sha256=" + f.content().sha256();
        } else if (n instanceof Symlink s) {
            kind = "symlink -> " + s.target();
        } else if (n instanceof Device d) {
            kind = (d.block() ? "blockdev " : "chardev ") + d.major() + ":" + d.minor();
        } else if (n instanceof Socket) {
            kind = "socket";
        } else {
            kind = "fifo";
        }
        return MountWalk.description(kind, m.mode(), m.uid(), m.gid(), m.mtime(), m.atime(), m.ctime(), nlink,
                MountWalk.hexXattrs(m.xattrs()));
    }

    static Metadata metadataOf(Node n) {
        if (n instanceof Dir d) {
            return d.meta();
        } else if (n instanceof File f) {
            return f.meta();
        } else if (n instanceof Symlink s) {
            return s.meta();
        } else if (n instanceof Device d) {
            return d.meta();
        } else if (n instanceof Fifo f) {
            return f.meta();
        } else if (n instanceof Socket so) {
            return so.meta();
        }
        throw new IllegalArgumentException(n.toString());
    }

    /** Paths grouped by inode in the model: each hard-link group as a sorted list. */
    List<List<String>> hardLinkGroups() {
        Map<String, List<String>> groups = new TreeMap<>();
        for (Node n : nodes.values()) {
            if (n instanceof HardLink h) {
                groups.computeIfAbsent(finalTarget(h), k -> new ArrayList<>(List.of(k))).add(h.path());
            }
        }
        List<List<String>> result = new ArrayList<>();
        for (List<String> g : groups.values()) {
            g.sort(null);
            result.add(g);
        }
        result.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return result;
    }

    /** Generates {@link Content} bytes on the fly. */
    private static final class GeneratedStream extends InputStream {
        private final Content content;
        private long position;
        private final byte[] block = new byte[4096];
        private long blockIndex = -1;

        GeneratedStream(Content content) {
            this.content = content;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= content.size()) {
                return -1;
            }
            int total = 0;
            while (len > 0 && position < content.size()) {
                long index = position / 4096;
                if (index != blockIndex) {
                    fill(index);
                }
                int inBlock = (int) (position % 4096);
                int n = (int) Math.min(Math.min(len, 4096 - inBlock), content.size() - position);
                System.arraycopy(block, inBlock, b, off, n);
                off += n;
                len -= n;
                total += n;
                position += n;
            }
            return total;
        }

        private void fill(long index) {
            blockIndex = index;
            int every = content.holeEvery();
            boolean hole = every > 0 ? index % every == 0 : every < 0 && index % -every != 0;
            if (hole) {
                java.util.Arrays.fill(block, (byte) 0);
            } else {
                new Random(content.seed() * 1_000_003L + index).nextBytes(block);
            }
        }
    }

    static Map<String, byte[]> xattrs(Object... nameValue) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            map.put((String) nameValue[i], (byte[]) nameValue[i + 1]);
        }
        return map;
    }
}
