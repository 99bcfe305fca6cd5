package dev.agentkernel.rootfs;

import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.ext4.Ext4Entry;
import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.FileContent;
import dev.agentkernel.ext4.Metadata;
import dev.agentkernel.ext4.Timestamp;
import dev.agentkernel.layer.EntryMetadata;
import dev.agentkernel.layer.FlatEntry;
import dev.agentkernel.layer.FlatTree;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a flattened image into a bootable root filesystem: adds the directories, device nodes, agent, /init
 * and /etc/hostname a microVM needs (the seed's steps), then hands every entry to the ext4 writer. Image
 * entries that an injected one replaces are removed and their content discarded, so no stale bytes remain.
 */
final class RootfsAssembler {
    /** Directories a guest needs, created when absent (parents first). */
    private static final List<String> DIRECTORIES = List.of("dev", "proc", "sys", "tmp", "run", "root", "app", "usr",
            "usr/bin", "etc");

    private record Node(String name, int major, int minor, int mode) {
    }

    private static final List<Node> DEVICES = List.of(
            new Node("console", 5, 1, 0622), new Node("null", 1, 3, 0666), new Node("zero", 1, 5, 0666),
            new Node("tty", 5, 0, 0666), new Node("random", 1, 8, 0666), new Node("urandom", 1, 9, 0666));

    static final String AGENT_PATH = "usr/bin/agent";
    static final String INIT_PATH = "init";
    static final String HOSTNAME_PATH = "etc/hostname";

    private final Ext4Writer writer;
    private final EntryTable table;
    private final Timestamp time;
    private final Consumer<String> warnings;

    private RootfsAssembler(Ext4Writer writer, FlatTree tree, Timestamp time, Consumer<String> warnings) {
        this.writer = writer;
        this.table = new EntryTable(tree.entries());
        this.time = time;
        this.warnings = warnings;
    }

    /**
     * Adds the injected entries to {@code tree} and every entry to {@code writer}.
     *
     * @param agent the agent binary, or null for none
     * @return the number of entries written
     */
    static int assemble(Ext4Writer writer, FlatTree tree, AgentBinary agent, Timestamp time, Consumer<String> warnings)
            throws IOException {
        RootfsAssembler a = new RootfsAssembler(writer, tree, time, warnings);
        a.inject(agent);
        return a.write();
    }

    private void inject(AgentBinary agent) throws IOException {
        for (String dir : DIRECTORIES) {
            ensureDirectory(dir);
        }
        for (Node n : DEVICES) {
            addDeviceUnlessPresent(n);
        }
        if (agent != null) {
            replace(AGENT_PATH, "the image's own /usr/bin/agent is replaced by agentkernel's guest agent");
            addFile(AGENT_PATH, 0755, agent.bytes());
        }
        replace(INIT_PATH, "the image's own /init is replaced by agentkernel's init");
        addFile(INIT_PATH, 0755, InitScript.bytes());
        // Podman leaves an empty /etc/hostname placeholder in images it builds: that counts as absent.
        var hostname = table.get(HOSTNAME_PATH);
        boolean emptyFile = hostname.isPresent() && hostname.get() instanceof FlatEntry.RegularFile f && f.size() == 0;
        if (hostname.isEmpty() || emptyFile) {
            replace(HOSTNAME_PATH, null);
            addFile(HOSTNAME_PATH, 0644, "agentkernel\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void ensureDirectory(String path) throws IOException {
        var existing = table.get(path);
        if (existing.isPresent() && existing.get() instanceof FlatEntry.Directory) {
            return;
        }
        if (existing.isPresent()) {
            replace(path, "the image's /" + path + " is not a directory; it is replaced by one");
        }
        int mode = path.equals("tmp") ? 01777 : path.equals("root") ? 0700 : 0755;
        table.add(new FlatEntry.Directory(path, metadata(mode), false));
    }

    /**
     * Creates a device node the image does not have. One the image has stays as it is (its mode and times too),
     * as the seed's {@code mknod} left it; one that is not the expected device is reported, and kept.
     */
    private void addDeviceUnlessPresent(Node n) {
        String path = "dev/" + n.name();
        var existing = table.get(path);
        if (existing.isEmpty()) {
            table.add(new FlatEntry.Device(path, metadata(n.mode()), false, n.major(), n.minor()));
            return;
        }
        FlatEntry entry = existing.get();
        if (entry instanceof FlatEntry.HardLink link) {
            entry = table.get(link.targetPath()).orElse(entry);
        }
        if (!(entry instanceof FlatEntry.Device d && !d.block() && d.major() == n.major() && d.minor() == n.minor())) {
            warnings.accept("the image's /" + path + " is " + describe(entry) + ", not the character device "
                    + n.major() + "," + n.minor() + "; it is kept as the image has it");
        }
    }

    private static String describe(FlatEntry e) {
        if (e instanceof FlatEntry.Device d) {
            return "the " + (d.block() ? "block" : "character") + " device " + d.major() + "," + d.minor();
        } else if (e instanceof FlatEntry.Directory) {
            return "a directory";
        } else if (e instanceof FlatEntry.RegularFile) {
            return "a regular file";
        } else if (e instanceof FlatEntry.Symlink s) {
            return "a symbolic link to " + Quote.name(s.target());
        } else if (e instanceof FlatEntry.Fifo) {
            return "a named pipe";
        }
        return "a hard link";
    }

    /** Removes whatever the image has at {@code path}, discarding file content no link keeps. */
    private void replace(String path, String warning) throws IOException {
        IOException[] failure = new IOException[1];
        boolean present = table.remove(path, orphan -> {
            try {
                if (orphan.content() != null) {
                    writer.discard(Ext4ContentSink.content(orphan.content()));
                }
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        if (present && warning != null) {
            warnings.accept(warning);
        }
    }

    private void addFile(String path, int mode, byte[] bytes) throws IOException {
        FileContent content = writer.writeContent(new ByteArrayInputStream(bytes), bytes.length);
        table.add(new FlatEntry.RegularFile(path, metadata(mode), bytes.length, new Ext4ContentSink.Stored(content)));
    }

    private EntryMetadata metadata(int mode) {
        Instant t = Instant.ofEpochSecond(time.seconds(), time.nanos());
        return new EntryMetadata(mode, 0, 0, t, t, Map.of());
    }

    private int write() {
        int count = 0;
        for (FlatEntry e : table.entries()) {
            writer.add(toExt4(e));
            count++;
        }
        return count;
    }

    private static Ext4Entry toExt4(FlatEntry e) {
        if (e instanceof FlatEntry.Directory d) {
            return new Ext4Entry.Directory(d.path(), metadata(d.metadata()));
        } else if (e instanceof FlatEntry.RegularFile f) {
            if (f.content() == null) {
                throw new ImageException("internal error: no content for /" + f.path());
            }
            return new Ext4Entry.RegularFile(f.path(), metadata(f.metadata()), Ext4ContentSink.content(f.content()));
        } else if (e instanceof FlatEntry.Symlink s) {
            if (s.target().isEmpty()) {
                throw new ImageException("the image's symlink /" + s.path() + " has an empty target");
            }
            return new Ext4Entry.Symlink(s.path(), metadata(s.metadata()), s.target());
        } else if (e instanceof FlatEntry.HardLink h) {
            return new Ext4Entry.HardLink(h.path(), h.targetPath());
        } else if (e instanceof FlatEntry.Device d) {
            return new Ext4Entry.Device(d.path(), metadata(d.metadata()), d.block(), d.major(), d.minor());
        } else if (e instanceof FlatEntry.Fifo f) {
            return new Ext4Entry.Fifo(f.path(), metadata(f.metadata()));
        }
        throw new IllegalArgumentException("unknown entry kind " + e);
    }

    static Metadata metadata(EntryMetadata m) {
        Timestamp mtime = timestamp(m.mtime());
        return new Metadata(m.mode() & 07777, m.uid(), m.gid(), timestamp(m.atime()), mtime, mtime, m.xattrs());
    }

    /** ext4 stores seconds in 34 bits from 1901 to 2446; times outside are clamped to the nearest end. */
    static Timestamp timestamp(Instant t) {
        long min = Integer.MIN_VALUE;
        long max = (1L << 34) + Integer.MIN_VALUE - 1;
        long s = Math.max(min, Math.min(max, t.getEpochSecond()));
        return new Timestamp(s, s == t.getEpochSecond() ? t.getNano() : 0);
    }
}
