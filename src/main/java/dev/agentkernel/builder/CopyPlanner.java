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
final class CopyPlanner {
    private final Path context;
    private final DockerIgnore ignore;
    private final long createdTime;

    CopyPlanner(Path context, DockerIgnore ignore, long createdTime) {
        this.context = context;
        this.ignore = ignore;
        this.createdTime = createdTime;
    }

    /** The entries of the layer, sorted by path. */
    List<PlannedEntry> plan(Step.Copy copy, StateTree state) {
        int line = copy.line().start();
        String verb = copy.add() ? "ADD" : "COPY";
        if (copy.parents() || !copy.excludes().isEmpty() || copy.checksum().isPresent()
                || copy.unpack().isPresent() || copy.keepGitDir().isPresent()) {
            throw new DockerfileException(line, verb + ": --parents, --exclude, --checksum, --unpack and"
                    + " --keep-git-dir are not supported by the native builder yet");
        }
        Ownership owner = Ownership.of(copy.chown(), copy.chmod(), state, copy.line());
        List<String> sources = new ArrayList<>();
        for (String source : copy.sources()) {
            if (copy.add() && source.matches("(?i)^(https?|git)://.*|^git@.*")) {
                throw new DockerfileException(line, "ADD from a URL is not supported by the native builder yet");
            }
            sources.addAll(expand(source, line, verb));
        }
        int count = sources.size() + copy.inline().size();
        String dest = copy.destination();
        boolean intoDir = dest.endsWith("/");
        if (copy.sources().size() + copy.inline().size() > 1 && !intoDir) {
            throw new DockerfileException(line, "when using " + verb + " with more than one source file, the"
                    + " destination must be a directory and end with a /");
        }
        String destPath = state.resolve(dest, true);
        Map<String, PlannedEntry> out = new TreeMap<>();
        for (String rel : sources) {
            Path host = context.resolve(rel);
            if (copy.add() && Files.isRegularFile(host) && isArchive(host)) {
                throw new DockerfileException(line, "ADD of a local archive (" + rel + ") is not supported by the"
                        + " native builder yet");
            }
            if (Files.isDirectory(host)) {
                addDirectoryContents(host, rel, destPath, owner, out, state, true);
            } else {
                boolean asDir = intoDir || count > 1 || state.isDirectory(destPath);
                String target = asDir ? join(destPath, host.getFileName() == null ? "" : host.getFileName().toString())
                        : destPath;
                addPath(host, target, owner, out);
                ensureDirectory(asDir ? destPath : parent(target), state, out, owner, asDir);
            }
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

    private static boolean isArchive(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(262);
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return true;
            }
            if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
                return true;
            }
            if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z') {
                return true;
            }
            return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException e) {
            return false;
        }
    }

    /** Context-relative paths a source names (globs expanded), each one that exists and is not ignored. */
    private List<String> expand(String source, int line, String verb) {
        String clean = cleanRelative(source, line, verb);
        List<String> found = new ArrayList<>();
        if (!hasGlob(clean)) {
            if (clean.isEmpty() || (exists(clean) && !ignore.excludes(clean))) {
                found.add(clean);
            }
        } else {
            Pattern[] parts = compile(clean.split("/"));
            try (Stream<Path> walk = Files.walk(context)) {
                walk.forEach(p -> {
                    String rel = context.relativize(p).toString();
                    if (!rel.isEmpty() && matches(parts, rel.split("/")) && !ignore.excludes(rel)) {
                        found.add(rel);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            found.sort(String::compareTo);
        }
        if (found.isEmpty()) {
            throw new DockerfileException(line, verb + " failed: " + quote(source) + " is not in the build context"
                    + " (or is excluded by .dockerignore)");
        }
        for (String rel : found) {
            checkInside(rel, line, verb, source);
        }
        return found;
    }

    private boolean exists(String rel) {
        return Files.exists(context.resolve(rel), LinkOption.NOFOLLOW_LINKS);
    }

    /** A symlink on the way, or the source itself, must not lead out of the context. */
    private void checkInside(String rel, int line, String verb, String source) {
        try {
            Path real = context.resolve(rel).toRealPath();
            if (!real.startsWith(context.toRealPath())) {
                throw new DockerfileException(line, verb + " failed: " + quote(source)
                        + " leads outside the build context (through a symbolic link)");
            }
        } catch (IOException e) {
            throw new DockerfileException(line, verb + " failed: " + quote(source) + ": " + e.getMessage());
        }
    }

    private static String cleanRelative(String source, int line, String verb) {
        List<String> parts = new ArrayList<>();
        for (String part : source.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new DockerfileException(line, verb + " failed: " + quote(source)
                            + " is outside the build context");
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static Pattern[] compile(String[] parts) {
        Pattern[] out = new Pattern[parts.length];
        for (int i = 0; i < parts.length; i++) {
            StringBuilder re = new StringBuilder();
            String p = parts[i];
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '?') {
                    re.append("[^/]");
                } else if (c == '[') {
                    int end = p.indexOf(']', j + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String cls = p.substring(j + 1, end);
                        re.append('[').append(cls.startsWith("^") || cls.startsWith("!") ? "^" + cls.substring(1) : cls)
                                .append(']');
                        j = end;
                    }
                } else if (c == '\\' && j + 1 < p.length()) {
                    re.append(Pattern.quote(String.valueOf(p.charAt(++j))));
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            out[i] = Pattern.compile(re.toString());
        }
        return out;
    }

    private static boolean matches(Pattern[] parts, String[] path) {
        if (parts.length != path.length) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].matcher(path[i]).matches()) {
                return false;
            }
        }
        return true;
    }

    private void addDirectoryContents(Path dir, String rel, String dest, Ownership owner,
                                      Map<String, PlannedEntry> out, StateTree state, boolean top) {
        if (top) {
            ensureDirectory(dest, state, out, owner, true);
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String childRel = rel.isEmpty() ? child.getFileName().toString() : rel + "/" + child.getFileName();
                if (ignore.excludes(childRel)) {
                    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && !ignore.canSkipDirectory(childRel)) {
                        addDirectoryContents(child, childRel, join(dest, child.getFileName().toString()), owner, out,
                                state, false);
                    }
                    continue;
                }
                String target = join(dest, child.getFileName().toString());
                addPath(child, target, owner, out);
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    addDirectoryContents(child, childRel, target, owner, out, state, false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private void addPath(Path host, String target, Ownership owner, Map<String, PlannedEntry> out) {
        try {
            Map<String, Object> a = Files.readAttributes(host, "unix:mode,lastModifiedTime,size",
                    LinkOption.NOFOLLOW_LINKS);
            int rawMode = (Integer) a.get("mode");
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            long secs = mtime.toInstant().getEpochSecond();
            int nanos = mtime.toInstant().getNano();
            int perm = rawMode & 07777;
            if (Files.isSymbolicLink(host)) {
                String link = Files.readSymbolicLink(host).toString();
                out.put(target, PlannedEntry.of(new TreeEntry(target, TreeEntry.Kind.SYMLINK, 0777, owner.uid(),
                        owner.gid(), secs, nanos, 0, link, 0, 0, null)));
            } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                int mode = owner.mode() != null ? owner.mode() : perm;
                out.put(target, PlannedEntry.of(new TreeEntry(target, TreeEntry.Kind.DIR, mode, owner.uid(), owner.gid(),
                        secs, nanos, 0, null, 0, 0, null)));
            } else if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                int mode = owner.mode() != null ? owner.mode() : perm;
                out.put(target, PlannedEntry.file(new TreeEntry(target, TreeEntry.Kind.FILE, mode, owner.uid(),
                        owner.gid(), secs, nanos, (Long) a.get("size"), null, 0, 0, null), host));
            }
            // sockets, fifos and devices in a context are not copied, as the reference skips them
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + host + ": " + e.getMessage(), e);
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
