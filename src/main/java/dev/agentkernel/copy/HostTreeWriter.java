package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyOutResult;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.CopySink;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.errors.Quote;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a copy from the guest onto the host under one destination, as a hostile guest could send it:
 * <ul>
 * <li>an entry is written only under a directory that came earlier in this copy (a real directory the writer
 *     made or found, checked again with lstat), so a symlink the guest sent is never a way out; nothing is
 *     opened through a symlink ({@code O_NOFOLLOW}, {@code O_EXCL});</li>
 * <li>every file, symlink and hard link is made under a fresh temporary name and renamed over its place, so
 *     an existing file is replaced whole or not at all (and a symlink in its place is replaced, not followed);
 *     an existing directory is never replaced by a non-directory, nor a non-directory by a directory;</li>
 * <li>hard links only to earlier entries of this copy; at most {@value #MAX_ENTRIES} entries and
 *     {@value #MAX_PATH_CHARS} characters of paths remembered;</li>
 * <li>a new destination is built under a temporary name beside it and renamed into place at the end; on
 *     failure ({@link #abandon}) that is removed, or in a merge into an existing directory everything the copy
 *     added.</li>
 * </ul>
 * Modes (setuid, setgid, sticky included), mtimes and, when running as root, owners are kept; directories get
 * theirs once their contents are in. Device nodes and fifos are not made on the host: they are skipped and
 * listed.
 */
final class HostTreeWriter implements CopySink {
    static final int MAX_ENTRIES = 1_000_000;
    static final long MAX_PATH_CHARS = 64L << 20;

    private record Dir(CopyEntry entry, boolean made) {
    }

    private final Path target;
    private final CopyRules.Existing existing;
    private final boolean expectDirectory;
    private final boolean asRoot = HostPaths.runsAsRoot();
    private final Map<String, Dir> dirs = new LinkedHashMap<>();
    private final Set<String> linkable = new HashSet<>();
    private final Map<String, Boolean> skippedSpecials = new HashMap<>();
    private final List<Path> added = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private Path root;
    private Path staging;
    private long pathChars;
    private long entries;
    private String checkedParent;
    private FileChannel file;
    private CopyEntry fileEntry;
    private Path fileTemp;
    private Path filePlace;
    private long fileEnd;
    private boolean finished;

    /**
     * @param target   the path the copy's root becomes (its parent a real directory)
     * @param existing what is at {@code target} now
     * @param expectDirectory whether the root must be a directory (what the guest said before the copy)
     */
    HostTreeWriter(Path target, CopyRules.Existing existing, boolean expectDirectory) {
        this.target = target;
        this.existing = existing;
        this.expectDirectory = expectDirectory;
    }

    List<String> skipped() {
        return skipped;
    }

    @Override
    public synchronized void entry(CopyEntry entry) throws IOException {
        finishFile();
        if (++entries > MAX_ENTRIES) {
            throw new IOException("the guest sent more than " + MAX_ENTRIES + " entries");
        }
        if (entry.path().equals(CopyPaths.ROOT)) {
            root(entry);
            return;
        }
        String parent = CopyPaths.parent(entry.path());
        Dir dir = dirs.get(parent);
        if (dir == null) {
            throw new IOException("the guest sent " + Quote.name(entry.path()) + " before a directory " + Quote.name(parent));
        }
        Path place = root.resolve(entry.path());
        requireRealParent(parent, place.getParent());
        boolean existed = HostPaths.exists(place);
        if (entry.kind() == EntryKind.DIR) {
            directory(entry, place, existed);
        } else if (!placeFile(entry, place)) {
            return;
        }
        if (!existed && !dir.made()) {
            added.add(place);
        }
    }

    @Override
    public synchronized void data(long offset, ByteBuffer bytes) throws IOException {
        if (file == null) {
            throw new IOException("the guest sent file data outside a file");
        }
        long position = offset;
        while (bytes.hasRemaining()) {
            position += file.write(bytes, position);
        }
        fileEnd = Math.max(fileEnd, position);
    }

    @Override
    public synchronized void end(CopyOutResult result) throws IOException {
        finishFile();
        if (root == null && fileEntry == null && staging == null) {
            throw new IOException("the copy had no root entry");
        }
        List<Map.Entry<String, Dir>> all = new ArrayList<>(dirs.entrySet());
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = root.resolve(all.get(i).getKey());
            if (!HostPaths.isRealDirectory(dir)) {
                throw new IOException(Quote.name(dir.toString()) + " is no longer a directory");
            }
            metadata(dir, all.get(i).getValue().entry());
        }
        if (staging != null) {
            if (HostPaths.exists(target)) {
                throw new IOException(Quote.name(target.toString()) + " appeared while the copy ran");
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        }
        finished = true;
    }

    /** After a failure: removes what the copy made (a new destination, or what it added to an existing one). */
    synchronized void abandon() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            closeFile();
            if (fileTemp != null) {
                Files.deleteIfExists(fileTemp);
            }
        } catch (IOException ignored) {
            // the rest is still removed
        }
        List<Path> remove = new ArrayList<>(added);
        java.util.Collections.reverse(remove);
        if (staging != null) {
            remove.add(staging);
        }
        for (Path p : remove) {
            try {
                HostPaths.deleteTree(p);
            } catch (IOException ignored) {
                // best effort; the error that stopped the copy is what the user sees
            }
        }
    }

    private void root(CopyEntry entry) throws IOException {
        if (root != null || fileEntry != null || staging != null) {
            throw new IOException("the guest sent the root entry twice");
        }
        boolean dir = entry.kind() == EntryKind.DIR;
        if (dir != expectDirectory) {
            throw new IOException("the guest's source changed while it was copied (it is now a " + entry.kind().wire() + ")");
        }
        if (!dir) {
            root = target.getParent();
            placeFile(entry, target);
            return;
        }
        if (existing == CopyRules.Existing.DIRECTORY) {
            if (!HostPaths.isRealDirectory(target)) {
                throw new IOException(Quote.name(target.toString()) + " is no longer a directory");
            }
            root = target;
            remember(CopyPaths.ROOT, new Dir(entry, false));
        } else {
            staging = HostPaths.temporarySibling(target);
            Files.createDirectory(staging);
            root = staging;
            remember(CopyPaths.ROOT, new Dir(entry, true));
        }
    }

    private void directory(CopyEntry entry, Path place, boolean existed) throws IOException {
        if (dirs.containsKey(entry.path())) {
            throw new IOException("the guest sent directory " + Quote.name(entry.path()) + " twice");
        }
        if (existed && !HostPaths.isRealDirectory(place)) {
            throw new IOException("cannot overwrite non-directory " + Quote.name(place.toString()) + " with a directory");
        }
        if (!existed) {
            Files.createDirectory(place);
        }
        linkable.remove(entry.path());
        remember(entry.path(), new Dir(entry, !existed || dirs.get(CopyPaths.parent(entry.path())).made()));
    }

    /** Makes a non-directory at {@code place} under a temporary name; false when it is skipped. */
    private boolean placeFile(CopyEntry entry, Path place) throws IOException {
        if (HostPaths.isRealDirectory(place)) {
            throw new IOException("cannot overwrite directory " + Quote.name(place.toString()) + " with a non-directory");
        }
        Path temp = HostPaths.temporarySibling(place);
        switch (entry.kind()) {
            case FILE -> {
                file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                fileEntry = entry;
                fileTemp = temp;
                filePlace = place;
                fileEnd = 0;
                linkable(entry.path());
                return true;
            }
            case SYMLINK -> {
                Files.createSymbolicLink(temp, Path.of(entry.target()));
                owner(temp, entry);
                times(temp, entry);
            }
            case HARDLINK -> {
                if (skippedSpecials.containsKey(entry.target())) {
                    skip(entry);
                    return false;
                }
                if (!linkable.contains(entry.target())) {
                    throw new IOException("the guest sent hard link " + Quote.name(entry.path()) + " to "
                            + Quote.name(entry.target()) + ", which is not an earlier file of the copy");
                }
                Files.createLink(temp, root.resolve(entry.target()));
            }
            default -> {
                skip(entry);
                return false;
            }
        }
        replace(temp, place);
        linkable(entry.path());
        return true;
    }

    private void skip(CopyEntry entry) throws IOException {
        if (entry.path().equals(CopyPaths.ROOT)) {
            throw new IOException("it is a " + entry.kind().wire() + ", which is not made on the host");
        }
        remember(skippedSpecials, entry.path());
        if (skipped.size() < 100) {
            skipped.add(entry.path() + " (" + entry.kind().wire() + ")");
        }
    }

    private void finishFile() throws IOException {
        if (file == null) {
            return;
        }
        if (fileEnd < fileEntry.size()) {
            file.write(ByteBuffer.allocate(1), fileEntry.size() - 1); // a trailing hole still has the file's size
        }
        closeFile();
        owner(fileTemp, fileEntry);
        Files.setAttribute(fileTemp, "unix:mode", fileEntry.mode(), LinkOption.NOFOLLOW_LINKS);
        times(fileTemp, fileEntry);
        replace(fileTemp, filePlace);
        fileTemp = null;
        fileEntry = null;
    }

    private void closeFile() throws IOException {
        FileChannel f = file;
        file = null;
        if (f != null) {
            f.close();
        }
    }

    /** Renames {@code temp} over {@code place}; a hard link onto its own file leaves {@code temp}, so it goes. */
    private static void replace(Path temp, Path place) throws IOException {
        Files.move(temp, place, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(temp);
    }

    private void metadata(Path path, CopyEntry entry) throws IOException {
        owner(path, entry);
        Files.setAttribute(path, "unix:mode", entry.mode(), LinkOption.NOFOLLOW_LINKS);
        times(path, entry);
    }

    private void owner(Path path, CopyEntry entry) throws IOException {
        if (asRoot) {
            Files.setAttribute(path, "unix:uid", (int) entry.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) entry.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void times(Path path, CopyEntry entry) throws IOException {
        FileTime mtime = FileTime.from(Instant.ofEpochSecond(entry.mtimeSeconds(), entry.mtimeNanos()));
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, null, null);
    }

    /** Checks once per parent that it is still a real directory (nothing in a copy replaces one). */
    private void requireRealParent(String parent, Path dir) throws IOException {
        if (parent.equals(checkedParent)) {
            return;
        }
        if (!HostPaths.isRealDirectory(dir)) {
            throw new IOException(Quote.name(dir.toString()) + " is not a directory");
        }
        checkedParent = parent;
    }

    private void remember(String path, Dir dir) throws IOException {
        charge(path);
        dirs.put(path, dir);
    }

    private void linkable(String path) throws IOException {
        if (linkable.add(path)) {
            charge(path);
        }
    }

    private void remember(Map<String, Boolean> set, String path) throws IOException {
        charge(path);
        set.put(path, Boolean.TRUE);
    }

    private void charge(String path) throws IOException {
        pathChars += path.length();
        if (pathChars > MAX_PATH_CHARS) {
            throw new IOException("the guest sent more than " + MAX_PATH_CHARS + " characters of paths");
        }
    }
}
