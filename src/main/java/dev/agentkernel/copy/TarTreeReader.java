package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * A tar stream (as {@code docker cp - NAME:DIR} takes it: ustar, pax or GNU, sparse files expanded) read as a
 * copy into a directory: the root {@code .} first (the archive's own {@code ./} entry, else {@code existingRoot},
 * so the directory keeps what it has), names cleaned of leading {@code /} and {@code ./}; a name with
 * {@code ..} is refused; directories missing before their contents are made (0755); hard links must name an
 * earlier entry. All-zero chunks of a file stay holes.
 */
final class TarTreeReader {
    private final FileData data = new FileData();
    private final Set<String> dirs = new HashSet<>();
    private final Set<String> nonDirs = new HashSet<>();
    private long entries;
    private long pathChars;

    record Result(long entries, long bytes) {
    }

    Result send(InputStream in, CopyEntry existingRoot, TreeTarget target) throws IOException {
        long bytes = 0;
        boolean rootSent = false;
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
            String path = clean(t.getName());
            EntryKind kind = kind(t);
            if (kind == null) {
                continue;
            }
            if (path.equals(CopyPaths.ROOT)) {
                if (!rootSent && kind == EntryKind.DIR) {
                    target.entry(entry(t, CopyPaths.ROOT, EntryKind.DIR, 0, null));
                    rootSent = true;
                    dirs.add(CopyPaths.ROOT);
                }
                continue;
            }
            if (!rootSent) {
                target.entry(existingRoot);
                rootSent = true;
                dirs.add(CopyPaths.ROOT);
            }
            parents(path, t, target);
            long size = kind == EntryKind.FILE ? (t.isSparse() ? t.getRealSize() : t.getSize()) : 0;
            String linkTarget = null;
            if (kind == EntryKind.SYMLINK) {
                linkTarget = t.getLinkName();
            } else if (kind == EntryKind.HARDLINK) {
                linkTarget = clean(t.getLinkName());
                if (!nonDirs.contains(linkTarget)) {
                    throw new UserInputException("the tar stream's hard link " + Quote.name(path) + " names "
                            + Quote.name(t.getLinkName()) + ", which is not an earlier file of the stream");
                }
            }
            target.entry(entry(t, path, kind, size, linkTarget));
            remember(kind == EntryKind.DIR ? dirs : nonDirs, path);
            if (kind == EntryKind.DIR) {
                nonDirs.remove(path);
            } else {
                dirs.remove(path);
            }
            if (size > 0) {
                bytes += data.send(tar, size, target);
            }
        }
        if (!rootSent) {
            target.entry(existingRoot);
        }
        return new Result(entries, bytes);
    }

    /** Sends the directories above {@code path} that the stream has not had, as 0755 directories. */
    private void parents(String path, TarArchiveEntry t, TreeTarget target) throws IOException {
        String parent = CopyPaths.parent(path);
        if (dirs.contains(parent)) {
            return;
        }
        parents(parent, t, target);
        target.entry(new CopyEntry(parent, EntryKind.DIR, 0755, 0, 0, seconds(t), 0, 0, null, 0, 0));
        remember(dirs, parent);
        nonDirs.remove(parent);
    }

    private CopyEntry entry(TarArchiveEntry t, String path, EntryKind kind, long size, String linkTarget) {
        if (++entries > HostTreeWriter.MAX_ENTRIES) {
            throw new UserInputException("the tar stream has more than " + HostTreeWriter.MAX_ENTRIES + " entries");
        }
        boolean device = kind == EntryKind.CHAR || kind == EntryKind.BLOCK;
        Instant mtime = t.getLastModifiedTime() == null ? Instant.EPOCH : t.getLastModifiedTime().toInstant();
        try {
            return new CopyEntry(path, kind, t.getMode() & 07777, Math.max(0, t.getLongUserId()),
                    Math.max(0, t.getLongGroupId()), mtime.getEpochSecond(), mtime.getNano(), size, linkTarget,
                    device ? t.getDevMajor() : 0, device ? t.getDevMinor() : 0);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("bad entry in the tar stream: " + e.getMessage());
        }
    }

    private static long seconds(TarArchiveEntry t) {
        return t.getLastModifiedTime() == null ? 0 : t.getLastModifiedTime().toInstant().getEpochSecond();
    }

    private static EntryKind kind(TarArchiveEntry t) {
        if (t.isDirectory()) {
            return EntryKind.DIR;
        }
        if (t.isSymbolicLink()) {
            return EntryKind.SYMLINK;
        }
        if (t.isLink()) {
            return EntryKind.HARDLINK;
        }
        if (t.isCharacterDevice()) {
            return EntryKind.CHAR;
        }
        if (t.isBlockDevice()) {
            return EntryKind.BLOCK;
        }
        if (t.isFIFO()) {
            return EntryKind.FIFO;
        }
        if (t.isFile()) {
            return EntryKind.FILE;
        }
        return null; // volume labels, pax globals: nothing to make
    }

    /** A tar name as a copy path: leading {@code /} and {@code ./} and trailing {@code /} dropped; {@code ..} refused. */
    static String clean(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UserInputException("the tar stream's entry " + Quote.name(name) + " has a '..' in its name");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        String path = out.isEmpty() ? CopyPaths.ROOT : out.toString();
        String problem = CopyPaths.problem(path);
        if (problem != null) {
            throw new UserInputException("the tar stream's entry " + Quote.name(name) + " " + problem);
        }
        return path;
    }

    private void remember(Set<String> set, String path) {
        if (set.add(path)) {
            pathChars += path.length();
            if (pathChars > HostTreeWriter.MAX_PATH_CHARS) {
                throw new UserInputException("the tar stream has more than " + HostTreeWriter.MAX_PATH_CHARS
                        + " characters of names");
            }
        }
    }
}
