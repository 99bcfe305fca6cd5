package dev.agentkernel.rootfs;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which sandboxes use a cached root file system as the read-only base of their disks: {@code pins/<key>/<sandbox>}
 * holds the sandbox directory's path. A pinned entry is never deleted or replaced (prune, images rm and
 * {@code --no-cache} keep it or refuse, naming the sandboxes). A pin whose sandbox directory is gone (removed by
 * hand) no longer counts, so a lost pin can never keep an entry forever.
 */
public final class RootfsPins {
    private final Path root;

    public RootfsPins(AgentkernelHome home) {
        this.root = home.root().resolve("pins");
    }

    public void pin(String key, String sandbox, Path sandboxDir) {
        AtomicFiles.write(root.resolve(key).resolve(sandbox),
                sandboxDir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
    }

    public void unpin(String key, String sandbox) {
        Path dir = root.resolve(key);
        AtomicFiles.deleteQuietly(dir.resolve(sandbox));
        try {
            Files.deleteIfExists(dir); // only when empty: another sandbox may still pin the key
        } catch (IOException ignored) {
            // not empty, or already gone
        }
    }

    /** The sandboxes that use {@code key} now, sorted. */
    public List<String> users(String key) {
        List<String> users = new ArrayList<>();
        Path dir = root.resolve(key);
        if (!Files.isDirectory(dir)) {
            return users;
        }
        try (DirectoryStream<Path> pins = Files.newDirectoryStream(dir)) {
            for (Path pin : pins) {
                String name = pin.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // an atomic write's temporary file
                }
                if (stillThere(pin)) {
                    users.add(name);
                } else {
                    AtomicFiles.deleteQuietly(pin);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the pins of " + dir + ": " + e.getMessage(), e);
        }
        users.sort(null);
        return users;
    }

    private static boolean stillThere(Path pin) {
        try {
            if (Files.size(pin) > 4096) {
                return true; // not ours to judge: keep the entry
            }
            return Files.isDirectory(Path.of(Files.readString(pin, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
