package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerIgnore;
import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.errors.Quote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The build context as COPY/ADD see it: {@code .dockerignore}d paths are invisible, a source may not lead out of
 * the context ({@code ..} above it, or a symlink on the way that points outside), files keep their mode and
 * mtime and get root (or {@code --chown}) as owner; sockets, fifos and devices are not copied.
 */
final class ContextSource implements CopySource {
    private final Path context;
    private final DockerIgnore ignore;

    ContextSource(Path context, DockerIgnore ignore) {
        this.context = context;
        this.ignore = ignore;
    }

    @Override
    public List<String> expand(String source, int line, String verb) {
        String clean = Globs.cleanRelative(source, line, verb, "build context");
        List<String> found = new ArrayList<>();
        if (!Globs.hasGlob(clean)) {
            if (clean.isEmpty() || (Files.exists(context.resolve(clean), LinkOption.NOFOLLOW_LINKS)
                    && !ignore.excludes(clean))) {
                found.add(clean);
            }
        } else {
            Pattern[] parts = Globs.compile(clean);
            try (Stream<Path> walk = Files.walk(context)) {
                walk.forEach(p -> {
                    String rel = context.relativize(p).toString();
                    if (!rel.isEmpty() && Globs.matches(parts, rel) && !ignore.excludes(rel)) {
                        found.add(rel);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            found.sort(String::compareTo);
        }
        if (found.isEmpty()) {
            throw new DockerfileException(line, verb + " failed: " + Quote.name(source) + " is not in the build context"
                    + " (or is excluded by .dockerignore)");
        }
        for (String rel : found) {
            try {
                Path real = context.resolve(rel).toRealPath();
                if (!real.startsWith(context.toRealPath())) {
                    throw new DockerfileException(line, verb + " failed: " + Quote.name(source)
                            + " leads outside the build context (through a symbolic link)");
                }
            } catch (IOException e) {
                throw new DockerfileException(line, verb + " failed: " + Quote.name(source) + ": " + e.getMessage());
            }
        }
        return found;
    }

    @Override
    public boolean isDirectory(String rel) {
        return Files.isDirectory(context.resolve(rel));
    }

    @Override
    public List<String> children(String rel) {
        try (Stream<Path> children = Files.list(context.resolve(rel))) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + context.resolve(rel) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean excluded(String rel) {
        return ignore.excludes(rel);
    }

    @Override
    public boolean canSkip(String rel) {
        return ignore.canSkipDirectory(rel);
    }

    @Override
    public java.util.Optional<LocalArchive.Compression> archive(String rel) {
        Path file = context.resolve(rel);
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                file = file.toRealPath(); // a named symlink is followed (expand checked it stays inside)
            } catch (IOException e) {
                return java.util.Optional.empty();
            }
        }
        return LocalArchive.detect(file);
    }

    @Override
    public Path hostPath(String rel) {
        try {
            return context.resolve(rel).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + context.resolve(rel) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public PlannedEntry namedEntry(String rel, String target, Ownership owner) {
        Path host = context.resolve(rel);
        if (Files.isSymbolicLink(host)) {
            try {
                // expand() checked that it stays inside the context
                return entry(context.toRealPath().relativize(host.toRealPath()).toString(), target, owner);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + host + ": " + e.getMessage(), e);
            }
        }
        return entry(rel, target, owner);
    }

    @Override
    public PlannedEntry entry(String rel, String target, Ownership owner) {
        Path host = context.resolve(rel);
        try {
            // a source named in the instruction that is a symlink is followed (checked to stay inside); inside a
            // copied directory, symlinks are copied as symlinks
            Map<String, Object> a = Files.readAttributes(host, "unix:mode,lastModifiedTime,size",
                    LinkOption.NOFOLLOW_LINKS);
            int perm = (Integer) a.get("mode") & 07777;
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                perm &= 01777; // Buildah (the reference here) drops setuid and setgid of copied directories
            }
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            long secs = mtime.toInstant().getEpochSecond();
            int nanos = mtime.toInstant().getNano();
            if (Files.isSymbolicLink(host)) {
                return PlannedEntry.of(new TreeEntry(target, TreeEntry.Kind.SYMLINK, 0777, owner.uid(), owner.gid(),
                        secs, nanos, 0, Files.readSymbolicLink(host).toString(), 0, 0, null));
            }
            int mode = owner.mode() != null ? owner.mode() : perm;
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                return PlannedEntry.of(new TreeEntry(target, TreeEntry.Kind.DIR, mode, owner.uid(), owner.gid(), secs,
                        nanos, 0, null, 0, 0, null));
            }
            if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                return PlannedEntry.file(new TreeEntry(target, TreeEntry.Kind.FILE, mode, owner.uid(), owner.gid(),
                        secs, nanos, (Long) a.get("size"), null, 0, 0, null), host);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + host + ": " + e.getMessage(), e);
        }
    }
}
