package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerIgnore;
import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.build.dockerfile.Instruction.InlineSource;
import dev.agentkernel.build.dockerfile.Step;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Plans the layer of a COPY or ADD whose sources are in the build context (or here-documents), as the
 * Dockerfile reference describes: globs matched per path component, {@code .dockerignore}d files invisible,
 * a directory source copies its contents, several sources or a destination ending in {@code /} (or naming an
 * existing directory) mean "into this directory", files keep their mode and mtime and get the owner
 * {@code --chown} says (root otherwise), and the destination is resolved in the image with its symlinks
 * followed. Parent directories the image has keep their metadata; missing ones are made 0755, root.
 */
final class CopyPlanner implements AutoCloseable {
    private final CopySource source;
    private final long createdTime;
    private final Path scratch;
    private final RemoteFile remote;
    private SpoolFile spool;

    /**
     * {@code scratch}: where archives are unpacked and downloads spooled (kept until {@link #close}, which the
     * caller does once the layer is written); {@code remote} fetches {@code ADD URL}s.
     */
    CopyPlanner(CopySource source, long createdTime, Path scratch, RemoteFile remote) {
        this.source = source;
        this.createdTime = createdTime;
        this.scratch = scratch;
        this.remote = remote;
    }

    CopyPlanner(CopySource source, long createdTime) {
        this(source, createdTime, null, null);
    }

    private SpoolFile spool() {
        if (spool == null) {
            spool = new SpoolFile(scratch, "add");
        }
        return spool;
    }

    @Override
    public void close() {
        if (spool != null) {
            spool.close();
        }
    }

    /** The entries of the layer, sorted by path. */
    List<PlannedEntry> plan(Step.Copy copy, StateTree state) {
        int line = copy.line().start();
        String verb = copy.add() ? "ADD" : "COPY";
        if (copy.parents() || !copy.excludes().isEmpty() || copy.unpack().isPresent()
                || copy.keepGitDir().isPresent()) {
            throw new DockerfileException(line, verb + ": --parents, --exclude, --unpack and --keep-git-dir are not"
                    + " supported by the native builder yet");
        }
        Ownership owner = Ownership.of(copy.chown(), copy.chmod(), state, copy.line());
        List<String> sources = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String source : copy.sources()) {
            if (copy.add() && RemoteFile.isGit(source)) {
                throw new DockerfileException(line, "ADD from a git repository (" + source + ") is not supported by"
                        + " the native builder yet");
            }
            if (copy.add() && RemoteFile.isUrl(source)) {
                urls.add(source);
                continue;
            }
            sources.addAll(this.source.expand(source, line, verb));
        }
        if (copy.checksum().isPresent()) {
            if (!urls.isEmpty() && !sources.isEmpty() || urls.isEmpty()) {
                throw new DockerfileException(line, "ADD --checksum can't be specified for non-HTTP(S) sources");
            }
            if (urls.size() > 1) {
                throw new DockerfileException(line, "ADD --checksum needs exactly one URL source");
            }
            RemoteFile.checkChecksumForm(copy.checksum().get(), line);
        }
        int count = sources.size() + urls.size() + copy.inline().size();
        String dest = copy.destination();
        boolean intoDir = dest.endsWith("/");
        if (copy.sources().size() + copy.inline().size() > 1 && !intoDir) {
            throw new DockerfileException(line, "when using " + verb + " with more than one source file, the"
                    + " destination must be a directory and end with a /");
        }
        String destPath = state.resolve(dest, true);
        Map<String, PlannedEntry> out = new TreeMap<>();
        for (String rel : sources) {
            java.util.Optional<LocalArchive.Compression> archive = copy.add() && scratch != null
                    ? source.archive(rel) : java.util.Optional.empty();
            if (archive.isPresent()) {
                ensureDirectory(destPath, state, out, owner, true);
                for (PlannedEntry e : LocalArchive.extract(source.hostPath(rel), archive.get(), destPath, owner,
                        spool(), line, rel)) {
                    out.put(e.entry().path(), e);
                }
            } else if (source.isDirectory(rel)) {
                addDirectoryContents(rel, destPath, owner, out, state, true);
            } else {
                boolean asDir = intoDir || count > 1 || state.isDirectory(destPath);
                String target = asDir ? join(destPath, rel.substring(rel.lastIndexOf('/') + 1)) : destPath;
                add(source.namedEntry(rel, target, owner), out);
                ensureDirectory(asDir ? destPath : parent(target), state, out, owner, asDir);
            }
        }
        for (String url : urls) {
            if (remote == null || scratch == null) {
                throw new DockerfileException(line, "ADD " + url + ": URLs are not fetched here");
            }
            RemoteFile.Fetched fetched = remote.fetch(url, copy.checksum(), spool(), line);
            boolean asDir = intoDir || count > 1 || state.isDirectory(destPath);
            if (asDir && fetched.name().isEmpty()) {
                throw new DockerfileException(line, "ADD " + url + ": the URL's path has no file name to copy into "
                        + dest + "; name the destination file");
            }
            String target = asDir ? join(destPath, fetched.name()) : destPath;
            int mode = owner.mode() != null ? owner.mode() : 0600; // the reference: a URL's file gets 0600
            long mtime = fetched.lastModifiedSeconds().orElse(createdTime);
            out.put(target, new PlannedEntry(new TreeEntry(target, TreeEntry.Kind.FILE, mode, owner.uid(),
                    owner.gid(), mtime, 0, fetched.size(), null, 0, 0, null), fetched.content()));
            ensureDirectory(asDir ? destPath : parent(target), state, out, owner, asDir);
        }
        for (InlineSource inline : copy.inline()) {
            boolean asDir = intoDir || count > 1 || state.isDirectory(destPath);
            String target = asDir ? join(destPath, inline.name()) : destPath;
            byte[] bytes = inline.content().getBytes(StandardCharsets.UTF_8);
            int mode = owner.mode() != null ? owner.mode() : 0644;
            out.put(target, PlannedEntry.bytes(new TreeEntry(target, TreeEntry.Kind.FILE, mode, owner.uid(), owner.gid(),
                    createdTime, 0, bytes.length, null, 0, 0, null), bytes));
            ensureDirectory(asDir ? destPath : parent(target), state, out, owner, asDir);
        }
        addParents(out, state);
        return new ArrayList<>(out.values());
    }

    private static void add(PlannedEntry entry, Map<String, PlannedEntry> out) {
        if (entry != null) {
            out.put(entry.entry().path(), entry);
        }
    }

    private void addDirectoryContents(String rel, String dest, Ownership owner, Map<String, PlannedEntry> out,
                                      StateTree state, boolean top) {
        if (top) {
            ensureDirectory(dest, state, out, owner, true);
        }
        for (String name : source.children(rel)) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            String target = join(dest, name);
            if (source.excluded(childRel)) {
                if (source.isDirectory(childRel) && !source.canSkip(childRel)) {
                    addDirectoryContents(childRel, target, owner, out, state, false);
                }
                continue;
            }
            add(source.entry(childRel, target, owner), out);
            if (source.isDirectory(childRel)) {
                addDirectoryContents(childRel, target, owner, out, state, false);
            }
        }
    }

    /** The destination directory: the image's own when it has one, else a new one (with --chown's owner). */
    private void ensureDirectory(String path, StateTree state, Map<String, PlannedEntry> out, Ownership owner,
                                 boolean isDest) {
        if (path.isEmpty() || out.containsKey(path)) {
            return;
        }
        if (state.isDirectory(path)) {
            out.put(path, PlannedEntry.of(state.get(path).orElseThrow()));
        } else {
            out.put(path, PlannedEntry.of(TreeEntry.directory(path, 0755, isDest ? owner.uid() : 0,
                    isDest ? owner.gid() : 0, createdTime)));
        }
    }

    /** Every entry's parents: the image's own, or new directories. */
    private void addParents(Map<String, PlannedEntry> out, StateTree state) {
        Map<String, PlannedEntry> parents = new LinkedHashMap<>();
        for (String path : out.keySet()) {
            for (String p = parent(path); !p.isEmpty(); p = parent(p)) {
                if (out.containsKey(p) || parents.containsKey(p)) {
                    continue;
                }
                parents.put(p, PlannedEntry.of(state.isDirectory(p) ? state.get(p).orElseThrow()
                        : TreeEntry.directory(p, 0755, 0, 0, createdTime)));
            }
        }
        out.putAll(parents);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + "/" + name;
    }

    private static String quote(String s) {
        return dev.agentkernel.errors.Quote.name(s);
    }
}
