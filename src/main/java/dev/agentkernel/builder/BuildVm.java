package dev.agentkernel.builder;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentPorts;
import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyInStream;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.agent.ExecSession;
import dev.agentkernel.agent.ExecSpec;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.process.ProcessIdentity;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.ScratchDisk;
import dev.agentkernel.sandbox.SandboxService;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The microVM a stage's RUN steps execute in: a one-shot sandbox booted once from the stage's first base image
 * (whose root file system is the bottom layer of every step's overlay), owned by this process so that a killed
 * build leaves nothing behind for long (the next command's sweep removes it, and a shutdown hook does on a
 * signal). Every layer above the base is a directory on the VM's scratch disk (an empty ext4 drive of its own,
 * mounted at {@link #ROOT}; ext4 has the user.* and trusted.* xattrs that the guest kernel's tmpfs lacks or an
 * overlay needs): those RUN made are their overlay upper directories, the others (COPY, cached steps, an earlier
 * stage's) are copied in. The scratch disk is sparse and goes with the sandbox.
 */
final class BuildVm implements AutoCloseable {
    static final String AGENT = "/usr/bin/agent";
    private static final String ROOT = "/run/agentkernel-build";
    private static final int MEMORY_MB = 2048;
    /** The scratch disk's size: what a stage's layers may take in all (sparse: the host's disk holds what is written). */
    static final long SCRATCH_BYTES = 32L << 30;

    private final SandboxService sandboxes;
    private final SandboxName name;
    private final ProcessIdentity owner = ProcessIdentity.current();
    private final Thread cleanup;
    private final List<String> layerDirs = new ArrayList<>(); // bottom first
    private AgentConnection agent;
    private int next;

    private BuildVm(SandboxService sandboxes, SandboxName name) {
        this.sandboxes = sandboxes;
        this.name = name;
        this.cleanup = new Thread(() -> sandboxes.abandon(name, owner), "build-vm-cleanup-" + name);
    }

    /** Boots a build VM from {@code bootSource} (any source {@code create --image} takes). */
    static BuildVm boot(SandboxService sandboxes, String bootSource, NetworkOptions network,
                        ConversionListener listener) {
        SandboxName name = SandboxName.of("build-" + UUID.randomUUID().toString().substring(0, 12));
        BuildVm vm = new BuildVm(sandboxes, name);
        Runtime.getRuntime().addShutdownHook(vm.cleanup);
        try {
            sandboxes.create(new CreateRequest(name, bootSource, MEMORY_MB, 2, Map.of(), null,
                    Map.of("agentkernel.build", "true"), null, true, null, null, null, vm.owner, null)
                    .withNetwork(network).withScratchDisk(SCRATCH_BYTES), listener);
            vm.agent = new AgentPorts(sandboxes.store().directory(name).path()).open();
            vm.helper(List.of(AGENT, "build-mount", ScratchDisk.LABEL, ROOT), Duration.ofMinutes(1),
                    "cannot mount the build VM's scratch disk");
            return vm;
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    SandboxName name() {
        return name;
    }

    /** The number of layer directories above the base. */
    int layers() {
        return layerDirs.size();
    }

    /** Drops the layer directories above the first {@code count} (a stage that starts over from a cache hit). */
    void truncate(int count) {
        while (layerDirs.size() > count) {
            layerDirs.remove(layerDirs.size() - 1);
        }
    }

    private String lowers() {
        StringBuilder s = new StringBuilder();
        for (int i = layerDirs.size() - 1; i >= 0; i--) {
            s.append(layerDirs.get(i)).append(':');
        }
        return s.append('/').toString();
    }

    /** The result of a RUN in the guest. */
    record RunOutcome(ExitStatus status, String upper, String meta) {
    }

    /**
     * Runs {@code argv} on an overlay of every layer so far, as {@code user} in {@code cwd} with {@code env}; the
     * command's output goes to the streams as it comes. A successful step's upper directory becomes a layer
     * (see {@link #capture}); a failed one is dropped.
     */
    RunOutcome run(List<String> argv, Map<String, String> env, String user, String cwd, boolean setHome,
                   boolean noNetwork, List<Bind> binds, OutputStream stdout, OutputStream stderr) {
        int n = next++;
        String upper = ROOT + "/l" + n;
        String meta = ROOT + "/meta" + n;
        List<String> command = new ArrayList<>(List.of(AGENT, "build-run", "-l", lowers(), "-u", upper,
                "-w", ROOT + "/work" + n, "-m", ROOT + "/merged" + n, "-d", cwd.isEmpty() ? "/" : cwd, "-x", meta));
        if (!user.isEmpty()) {
            command.add("-U");
            command.add(user);
        }
        if (setHome) {
            command.add("-H");
        }
        if (noNetwork) {
            command.add("-N");
        }
        for (Bind b : binds) {
            command.addAll(List.of("-B", b.source(), "-T", b.target()));
        }
        command.add("--");
        command.addAll(argv);
        ExecSpec spec = new ExecSpec(command, "/", env, null, false, ExecSpec.DEFAULT_ROWS, ExecSpec.DEFAULT_COLS,
                false, 0, false);
        ExecSession session = agent.start(spec, stdout, stderr);
        ExitStatus status = session.waitFor(null);
        return new RunOutcome(status, upper, meta);
    }

    /** A guest directory bind-mounted at {@code target} in the image for one RUN (a cache mount). */
    record Bind(String source, String target) {
    }

    /** The guest directory holding each cache mount (by key) this VM has had: reused by later steps. */
    final Map<String, String> cacheDirectories = new java.util.HashMap<>();

    /** A new guest directory for a cache mount's contents, numbered like the layer directories. */
    String newDirectory(String kind) {
        return ROOT + "/" + kind + next++;
    }

    /** Copies {@code entries} (paths relative to {@code dir}) into the guest at {@code dir}, made as {@code root}. */
    void copyTree(String dir, TreeEntry root, List<PlannedEntry> entries) {
        CopyInStream in = agent.copyIn(dir);
        in.entry(new CopyEntry(".", EntryKind.DIR, root.mode(), root.uid(), root.gid(), 0, 0, 0, null, 0, 0));
        byte[] buf = new byte[CopyInStream.CHUNK];
        for (PlannedEntry p : entries) {
            TreeEntry e = p.entry();
            if (e.kind() == TreeEntry.Kind.OPAQUE || e.kind() == TreeEntry.Kind.WHITEOUT) {
                continue;
            }
            in.entry(toCopyEntry(e));
            sendContent(in, p, buf);
        }
        in.finish();
    }

    /** Copies guest directory {@code dir} out into {@code capture}. */
    void copyOut(String dir, LayerCapture capture) {
        agent.copyOut(dir, kind -> capture);
    }

    private static void sendContent(CopyInStream in, PlannedEntry p, byte[] buf) {
        TreeEntry e = p.entry();
        if (e.kind() != TreeEntry.Kind.FILE || e.size() == 0) {
            return;
        }
        try (InputStream content = p.open()) {
            long offset = 0;
            while (offset < e.size()) {
                int n = content.read(buf, 0, (int) Math.min(buf.length, e.size() - offset));
                if (n < 0) {
                    throw new IOException(e.path() + " ended early");
                }
                in.data(offset, buf, 0, n);
                offset += n;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot copy " + e.path() + " into the build VM: " + ex.getMessage(), ex);
        }
    }

    /** Reads a finished step's upper directory and its metadata into a layer capture, and keeps it as a layer. */
    LayerCapture capture(RunOutcome outcome, LayerCapture capture) {
        byte[] meta = readFile(outcome.meta(), 64 << 20);
        capture.metadata(meta);
        agent.copyOut(outcome.upper(), kind -> capture);
        layerDirs.add(outcome.upper());
        return capture;
    }

    private byte[] readFile(String path, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        agent.copyOut(path, kind -> new dev.agentkernel.agent.CopySink() {
            @Override
            public void entry(CopyEntry entry) throws IOException {
                if (entry.size() > max) {
                    throw new IOException(path + " in the build VM is over " + max + " bytes");
                }
            }

            @Override
            public void data(long offset, java.nio.ByteBuffer bytes) {
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                out.write(b, 0, b.length);
            }

            @Override
            public void end(dev.agentkernel.agent.CopyOutResult result) {
            }
        });
        return out.toByteArray();
    }

    /**
     * Puts a RUN step's here-document scripts where its command reads them ({@code /dev/pipes/NAME}): on the
     * guest's /dev, which every step sees bound into its root, so they never become part of a layer.
     */
    void provide(List<dev.agentkernel.build.dockerfile.Step.InlineFile> files) {
        for (var f : files) {
            if (!f.path().startsWith("/dev/pipes/") || f.path().indexOf('/', "/dev/pipes/".length()) >= 0) {
                throw new IllegalArgumentException("here-document path " + f.path());
            }
            byte[] bytes = f.content().getBytes(StandardCharsets.UTF_8);
            CopyInStream in = agent.copyIn("/dev/pipes");
            in.entry(new CopyEntry(".", EntryKind.DIR, 0755, 0, 0, 0, 0, 0, null, 0, 0));
            in.entry(new CopyEntry(f.path().substring("/dev/pipes/".length()), EntryKind.FILE, f.mode(), 0, 0, 0, 0,
                    bytes.length, null, 0, 0));
            if (bytes.length > 0) {
                in.data(0, bytes, 0, bytes.length);
            }
            in.finish();
        }
    }

    /** Puts a layer made on the host (COPY, or one from the cache) into the guest as the next layer directory. */
    void materialize(List<PlannedEntry> entries) {
        String dir = ROOT + "/l" + next++;
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        CopyInStream in = agent.copyIn(dir);
        in.entry(new CopyEntry(".", EntryKind.DIR, 0755, 0, 0, 0, 0, 0, null, 0, 0));
        byte[] buf = new byte[CopyInStream.CHUNK];
        for (PlannedEntry p : entries) {
            TreeEntry e = p.entry();
            if (e.kind() == TreeEntry.Kind.OPAQUE) {
                field(meta, "O");
                field(meta, e.path().isEmpty() ? "." : e.path());
                continue;
            }
            in.entry(toCopyEntry(e));
            for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                field(meta, "X");
                field(meta, e.path());
                field(meta, x.getKey());
                field(meta, java.util.HexFormat.of().formatHex(x.getValue()));
            }
            sendContent(in, p, buf);
        }
        in.finish();
        if (meta.size() > 0) {
            String metaPath = ROOT + "/meta-in" + next;
            CopyInStream m = agent.copyIn(metaPath);
            byte[] bytes = meta.toByteArray();
            m.entry(new CopyEntry(".", EntryKind.FILE, 0600, 0, 0, 0, 0, bytes.length, null, 0, 0));
            m.data(0, bytes, 0, bytes.length);
            m.finish();
            helper(List.of(AGENT, "build-xattrs", dir, metaPath), Duration.ofMinutes(5),
                    "cannot set the extended attributes of a layer in the build VM");
        }
        layerDirs.add(dir);
    }

    /** Runs one of the agent's build helpers; a failure is an error with the last lines it wrote (bounded). */
    private void helper(List<String> argv, Duration timeout, String failure) {
        StepOutput out = new StepOutput("", line -> { });
        ExitStatus s = agent.start(ExecSpec.of(argv), out, out).waitFor(timeout);
        out.finish();
        if (s.exitCode() != 0) {
            throw new VmException(failure + ": " + String.join("\n", out.tail()).strip());
        }
    }

    private static CopyEntry toCopyEntry(TreeEntry e) {
        long mtime = Math.max(-CopyEntry.MAX_MTIME, Math.min(CopyEntry.MAX_MTIME, e.mtimeSeconds()));
        return switch (e.kind()) {
            case FILE -> new CopyEntry(e.path(), EntryKind.FILE, e.mode(), e.uid(), e.gid(), mtime, e.mtimeNanos(),
                    e.size(), null, 0, 0);
            case DIR -> new CopyEntry(e.path(), EntryKind.DIR, e.mode(), e.uid(), e.gid(), mtime, e.mtimeNanos(), 0,
                    null, 0, 0);
            case SYMLINK -> new CopyEntry(e.path(), EntryKind.SYMLINK, e.mode() & 07777, e.uid(), e.gid(), mtime,
                    e.mtimeNanos(), 0, e.linkTarget(), 0, 0);
            case HARDLINK -> new CopyEntry(e.path(), EntryKind.HARDLINK, 0, 0, 0, 0, 0, 0, e.linkTarget(), 0, 0);
            case CHAR -> new CopyEntry(e.path(), EntryKind.CHAR, e.mode(), e.uid(), e.gid(), mtime, e.mtimeNanos(), 0,
                    null, e.devMajor(), e.devMinor());
            case BLOCK -> new CopyEntry(e.path(), EntryKind.BLOCK, e.mode(), e.uid(), e.gid(), mtime, e.mtimeNanos(),
                    0, null, e.devMajor(), e.devMinor());
            case FIFO -> new CopyEntry(e.path(), EntryKind.FIFO, e.mode(), e.uid(), e.gid(), mtime, e.mtimeNanos(), 0,
                    null, 0, 0);
            case WHITEOUT -> new CopyEntry(e.path(), EntryKind.CHAR, 0, 0, 0, 0, 0, 0, null, 0, 0);
            case OPAQUE -> throw new IllegalArgumentException("opaque markers go into the metadata");
        };
    }

    private static void field(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /** Removes the VM and its sandbox (killing it), whatever state it is in. */
    @Override
    public void close() {
        if (agent != null) {
            try {
                agent.close();
            } catch (RuntimeException ignored) {
                // the VM goes next anyway
            }
        }
        try {
            sandboxes.remove(name, true);
        } catch (RuntimeException e) {
            sandboxes.abandon(name, owner);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook runs
            }
        }
    }
}
