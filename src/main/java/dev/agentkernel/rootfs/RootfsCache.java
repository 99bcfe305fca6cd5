package dev.agentkernel.rootfs;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.json.ImageJson;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageRemovalHook;
import dev.agentkernel.store.TemporaryFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cached root filesystems: {@code rootfs/<key>.ext4} with {@code <key>.json}. An entry exists only when both
 * files do and agree (the image is renamed into place first, its record second, each atomically), so an
 * interrupted conversion leaves no entry. Conversions of one key are serialised by a lock per key, so a
 * second process waits and then reuses the first one's result.
 */
public final class RootfsCache {
    private final AgentkernelHome home;

    public RootfsCache(AgentkernelHome home) {
        this.home = home;
    }

    /** A cache entry and its files. */
    public record Cached(CacheEntry entry, Path image, Path record, Instant lastUsed) {
    }

    Path image(String key) {
        return home.rootfs().resolve(key + ".ext4");
    }

    Path record(String key) {
        return home.rootfs().resolve(key + ".json");
    }

    /** Holds the lock of one key; conversions, removals and pinning of that key take it. */
    public FileLocks.Held lock(String key) {
        return FileLocks.exclusive(home.locks().resolve("rootfs-" + key + ".lock"));
    }

    /** The complete entry of {@code key}, if there is one. */
    Optional<Cached> lookup(String key) {
        Path image = image(key);
        Path record = record(key);
        if (!Files.isRegularFile(image) || !Files.isRegularFile(record)) {
            return Optional.empty();
        }
        try {
            CacheEntry entry = ImageJson.read(Files.readAllBytes(record), CacheEntry.class, record.toString());
            if (!key.equals(entry.key()) || Files.size(image) != entry.filesystemBytes() || entry.config() == null) {
                // a stale or foreign record, or one from before records kept the image's run config:
                // convert again, which replaces it
                return Optional.empty();
            }
            return Optional.of(new Cached(entry, image, record, Files.getLastModifiedTime(record).toInstant()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Marks an entry as used now (prune keeps recently used entries). */
    void touch(Cached cached) {
        try {
            Files.setLastModifiedTime(cached.record(), FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // Only prune's notion of "recent" suffers.
        }
    }

    /** Records a complete image, making it an entry. */
    void store(CacheEntry entry) {
        AtomicFiles.write(record(entry.key()), ImageJson.write(entry));
    }

    /**
     * Deletes temporary files that killed conversions of {@code key} left, and the temporaries (images, records)
     * of any key whose writing process is gone; call while holding the lock of {@code key}.
     */
    void deleteLeftovers(String key) {
        sweepAbandoned();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(home.rootfs(), "." + key + ".ext4.*.tmp")) {
            for (Path p : stream) {
                AtomicFiles.deleteQuietly(p);
            }
        } catch (IOException ignored) {
            // No directory yet, or unreadable: nothing of ours to clean.
        }
    }

    /** Every complete entry. */
    public List<Cached> list() {
        List<Cached> result = new ArrayList<>();
        if (!Files.isDirectory(home.rootfs())) {
            return result;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(home.rootfs(), "*.json")) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                lookup(name.substring(0, name.length() - ".json".length())).ifPresent(result::add);
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + home.rootfs() + ": " + e.getMessage(), e);
        }
        return result;
    }

    /** What a removal did: the entries removed, and those kept because sandboxes use them. */
    public record Removal(List<Cached> removed, List<Kept> kept) {
    }

    /** An entry kept because sandboxes' disks are built on it. */
    public record Kept(Cached entry, List<String> sandboxes) {
        public String describe() {
            return "kept " + entry.image() + " (" + entry.entry().source() + "): used by sandbox"
                    + (sandboxes.size() == 1 ? " " : "es ") + String.join(", ", sandboxes);
        }
    }

    /** Deletes the temporary files in the cache whose writing process is gone (SIGKILL runs no clean-up). */
    public List<Path> sweepAbandoned() {
        return TemporaryFiles.sweep(home.rootfs(), ".*.tmp");
    }

    /** Removes entries not used for {@code olderThan}, except those sandboxes use. */
    public Removal prune(Duration olderThan) {
        sweepAbandoned();
        Instant limit = Instant.now().minus(olderThan);
        return removeWhere(c -> c.lastUsed().isBefore(limit));
    }

    /** Removes the entries made from the image with config digest (image id) {@code imageId}, except pinned ones. */
    public Removal removeImage(Digest imageId) {
        return removeWhere(c -> imageId.toString().equals(c.entry().imageId()));
    }

    private Removal removeWhere(java.util.function.Predicate<Cached> which) {
        RootfsPins pins = new RootfsPins(home);
        List<Cached> removed = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        for (Cached c : list()) {
            if (!which.test(c)) {
                continue;
            }
            try (FileLocks.Held ignored = lock(c.entry().key())) {
                List<String> users = pins.users(c.entry().key()); // under the key's lock: create pins under it too
                if (!users.isEmpty()) {
                    kept.add(new Kept(c, users));
                } else if (remove(c.entry().key())) {
                    removed.add(c);
                }
            }
        }
        return new Removal(removed, kept);
    }

    /**
     * For {@code images rm}: drops the cache entries of a removed image, unless another stored image has the
     * same id (then they are still its entries).
     */
    public static ImageRemovalHook removalHook(AgentkernelHome home) {
        return (removed, store) -> {
            boolean stillUsed = store.list().images().stream().anyMatch(r -> r.id().equals(removed.id()));
            if (!stillUsed) {
                List<Kept> kept = new RootfsCache(home).removeImage(removed.id()).kept();
                if (!kept.isEmpty()) {
                    throw new StoreException(String.join("; ", kept.stream().map(Kept::describe).toList()));
                }
            }
        };
    }

    /**
     * The directory of the memory snapshots of VMs booted on entry {@code key} (package {@code snapshot}): they
     * belong to the entry, are kept while it is pinned and removed with it.
     */
    public Path snapshots(String key) {
        return home.rootfs().resolve(key + ".snapshots");
    }

    /** Removes one entry; the caller holds the key's lock. */
    private boolean remove(String key) {
        try {
            Files.deleteIfExists(record(key)); // the record first: without it the image is no entry
            deleteTree(snapshots(key));
            Files.deleteIfExists(image(key));
            return true;
        } catch (IOException e) {
            throw new StoreException("cannot remove cached rootfs " + image(key) + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
