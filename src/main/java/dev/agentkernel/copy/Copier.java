package dev.agentkernel.copy;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyInResult;
import dev.agentkernel.agent.CopyInStream;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.agent.GuestStat;
import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxAgents;
import dev.agentkernel.sandbox.SandboxService;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cp SRC DST} between the host (or a tar stream) and a sandbox, with {@code docker cp}'s rules
 * ({@link CopyRules}). Guest paths are resolved by the guest; host paths by the host, where what the guest
 * sends is written by {@link HostTreeWriter}.
 */
public final class Copier {
    private final SandboxAgents agents;

    public Copier(SandboxService service) {
        this.agents = new SandboxAgents(service);
    }

    /**
     * @param followLink follow a symlink that the source itself is ({@code -L}); symlinks below it are copied as
     *                   symlinks either way
     * @param stdin      the tar stream when SRC is {@code -}; {@code stdout} when DST is
     */
    public CopyResult copy(String source, String destination, boolean followLink, InputStream stdin, OutputStream stdout) {
        CopyLocation src = CopyLocation.parse(source);
        CopyLocation dst = CopyLocation.parse(destination);
        if (src instanceof CopyLocation.Guest g && dst instanceof CopyLocation.Guest) {
            throw new UserInputException("copying between sandboxes is not supported; copy through the host");
        }
        try {
            if (src instanceof CopyLocation.Guest g) {
                if (dst instanceof CopyLocation.Host h) {
                    return guestToHost(g, h, followLink);
                }
                return guestToTar(g, followLink, stdout);
            }
            if (dst instanceof CopyLocation.Guest g) {
                if (src instanceof CopyLocation.Host h) {
                    return hostToGuest(h, g, followLink);
                }
                return tarToGuest(stdin, g);
            }
        } catch (UncheckedIOException e) {
            throw new AgentkernelException("cp " + Quote.name(source) + " " + Quote.name(destination) + ": "
                    + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new AgentkernelException("cp " + Quote.name(source) + " " + Quote.name(destination) + ": " + e.getMessage(), e);
        }
        throw new UserInputException("one of SRC and DST must be a sandbox path, NAME:PATH");
    }

    // ---- guest → host ----

    private CopyResult guestToHost(CopyLocation.Guest src, CopyLocation.Host dst, boolean followLink) throws IOException {
        Path dstPath = Path.of(dst.path().path()).toAbsolutePath();
        return agents.with(src.sandbox(), "the copy", agent -> {
            Source s = source(agent, src, followLink);
            HostDestination d = HostDestination.resolve(dstPath, dst.path());
            Path target = Path.of(CopyRules.target(src.path(), s.isDir(), dst.path(), d.path().toString(), d.existing(),
                    src.toString(), dst.toString()));
            CopyRules.Existing at = target.equals(d.path()) ? d.existing() : HostDestination.existing(target);
            if (at == CopyRules.Existing.OTHER && s.isDir()) {
                throw new UserInputException("cannot overwrite non-directory " + Quote.name(target.toString())
                        + " with directory " + src);
            }
            if (at == CopyRules.Existing.DIRECTORY && !s.isDir()) {
                throw new UserInputException("cannot overwrite directory " + Quote.name(target.toString())
                        + " with non-directory " + src);
            }
            Path parent = target.getParent();
            if (at == CopyRules.Existing.NOTHING && (parent == null || !Files.isDirectory(parent))) {
                throw new UserInputException("destination directory " + Quote.name(String.valueOf(parent))
                        + " does not exist");
            }
            HostPaths.sweepAbandoned(parent);
            HostTreeWriter writer = new HostTreeWriter(target, at, s.isDir());
            // Ctrl-C or SIGTERM mid-copy: what the copy made goes too (after SIGKILL, the next copy here sweeps it)
            Thread cleanUp = new Thread(writer::abandon, "cp clean-up");
            Runtime.getRuntime().addShutdownHook(cleanUp);
            CopyOutResult r;
            try {
                r = agent.copyOut(s.path(), kind -> writer);
            } catch (RuntimeException e) {
                writer.abandon();
                throw e;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanUp);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
            }
            List<String> skipped = new ArrayList<>(r.skipped());
            skipped.addAll(writer.skipped());
            return new CopyResult(target.toString(), r.entries(), r.bytes(), skipped);
        });
    }

    private CopyResult guestToTar(CopyLocation.Guest src, boolean followLink, OutputStream stdout) {
        return agents.with(src.sandbox(), "the copy", agent -> {
            Source s = source(agent, src, followLink);
            if (src.path().mustBeDirectory() && !s.isDir()) {
                throw new UserInputException("source " + src + " is not a directory");
            }
            String base = src.path().contents() ? null : src.path().baseName();
            TarTreeWriter tar = new TarTreeWriter(stdout, base == null ? "." : base);
            CopyOutResult r = agent.copyOut(s.path(), kind -> tar);
            return new CopyResult("-", r.entries(), r.bytes(), r.skipped());
        });
    }

    /** What a guest source is: the path to ask copy_out for (symlinks followed where docker follows them). */
    private record Source(String path, boolean isDir) {
    }

    private static Source source(AgentConnection agent, CopyLocation.Guest src, boolean followLink) {
        GuestStat st = agent.stat(src.path().path());
        if (!st.exists()) {
            throw new UserInputException("no such file or directory in sandbox '" + src.sandbox() + "': "
                    + Quote.name(src.path().path()));
        }
        boolean follow = followLink || src.path().mustBeDirectory() || !st.link();
        if (!follow) {
            return new Source(src.path().path(), false); // the symlink itself
        }
        if (st.real() == null) {
            throw new UserInputException(Quote.name(src.path().path()) + " in sandbox '" + src.sandbox()
                    + "' is a dangling symlink");
        }
        if (st.kind().equals("socket")) {
            throw new UserInputException(Quote.name(src.path().path()) + " is a socket, which cannot be copied");
        }
        return new Source(st.real(), st.isDirectory());
    }

    // ---- host → guest ----

    private CopyResult hostToGuest(CopyLocation.Host src, CopyLocation.Guest dst, boolean followLink) throws IOException {
        Path path = Path.of(src.path().path()).toAbsolutePath();
        if (!HostPaths.exists(path)) {
            throw new UserInputException("no such file or directory: " + Quote.name(src.path().toString()));
        }
        boolean follow = followLink || src.path().mustBeDirectory();
        Path root = follow ? path.toRealPath() : path;
        boolean isDir = HostPaths.isRealDirectory(root);
        return agents.with(dst.sandbox(), "the copy", agent -> {
            GuestTarget target = guestTarget(agent, src.path(), isDir, dst);
            CopyInStream in = agent.copyIn(target.path(), target.staged());
            try {
                HostTreeReader.Result sent = new HostTreeReader().send(root, TreeTarget.of(in));
                CopyInResult r = in.finish();
                return new CopyResult(dst.sandbox() + ":" + target.path(), r.entries(), r.bytes(), sent.skipped());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private CopyResult tarToGuest(InputStream stdin, CopyLocation.Guest dst) {
        return agents.with(dst.sandbox(), "the copy", agent -> {
            GuestStat st = agent.stat(dst.path().path());
            if (!st.isDirectory()) {
                throw new UserInputException("destination " + dst + " must be a directory");
            }
            CopyEntry root = new CopyEntry(CopyPaths.ROOT, EntryKind.DIR, st.mode(), st.uid(), st.gid(),
                    st.mtimeSeconds(), st.mtimeNanos(), 0, null, 0, 0);
            CopyInStream in = agent.copyIn(st.real());
            try {
                new TarTreeReader().send(stdin, root, TreeTarget.of(in));
            } catch (IOException e) {
                throw new UserInputException("cannot read the tar stream on stdin: " + e.getMessage(), e);
            }
            CopyInResult r = in.finish();
            return new CopyResult(dst.sandbox() + ":" + st.real(), r.entries(), r.bytes(), List.of());
        });
    }

    /** Where a copy into the guest goes; {@code staged} when nothing it merges into is there (new, or a file replaced). */
    private record GuestTarget(String path, boolean staged) {
    }

    /** The guest path the copy's root becomes, by docker's rules on what the guest says is there. */
    private static GuestTarget guestTarget(AgentConnection agent, CopyPath source, boolean sourceIsDir,
                                           CopyLocation.Guest dst) {
        GuestStat st = agent.stat(dst.path().path());
        CopyRules.Existing existing = !st.exists() ? CopyRules.Existing.NOTHING
                : st.isDirectory() ? CopyRules.Existing.DIRECTORY : CopyRules.Existing.OTHER;
        String resolved = st.exists() && st.real() != null ? st.real() : dst.path().path();
        String target = CopyRules.target(source, sourceIsDir, dst.path(), resolved, existing, source.toString(),
                dst.toString());
        boolean merge = sourceIsDir && existing == CopyRules.Existing.DIRECTORY && target.equals(resolved);
        if (!target.equals(resolved)) {
            GuestStat at = agent.stat(target);
            boolean dir = at.exists() && !at.link() && at.isDirectory();
            if (dir && !sourceIsDir) {
                throw new UserInputException("cannot overwrite directory " + dst.sandbox() + ":" + target
                        + " with non-directory " + source);
            }
            if (at.exists() && !dir && sourceIsDir) {
                throw new UserInputException("cannot overwrite non-directory " + dst.sandbox() + ":" + target
                        + " with directory " + source);
            }
            merge = dir;
        }
        return new GuestTarget(target, !merge);
    }

    /** The host destination: the user's own symlinks followed (the destination is theirs), and what is there. */
    private record HostDestination(Path path, CopyRules.Existing existing) {
        static HostDestination resolve(Path path, CopyPath written) {
            try {
                Path real = path.toRealPath();
                return new HostDestination(real, existing(real));
            } catch (NoSuchFileException e) {
                Path parent = path.getParent();
                try {
                    Path realParent = parent == null ? null : parent.toRealPath();
                    return new HostDestination(realParent == null ? path : realParent.resolve(path.getFileName()),
                            CopyRules.Existing.NOTHING);
                } catch (IOException e2) {
                    return new HostDestination(path, CopyRules.Existing.NOTHING);
                }
            } catch (IOException e) {
                throw new UserInputException("cannot use destination " + Quote.name(written.toString()) + ": "
                        + e.getMessage());
            }
        }

        static CopyRules.Existing existing(Path path) {
            if (!HostPaths.exists(path)) {
                return CopyRules.Existing.NOTHING;
            }
            return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? CopyRules.Existing.DIRECTORY
                    : CopyRules.Existing.OTHER;
        }
    }
}
