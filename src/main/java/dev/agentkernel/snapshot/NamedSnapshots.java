package dev.agentkernel.snapshot;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Snapshots taken by name ({@code snapshot take}): {@code snapshots/<name>/} with the files of
 * {@link SnapshotFiles} and what the caller adds (the sandbox's record). Their disks are layers over the cached
 * rootfs alone; sandboxes restored from one have disks over its disk, so each is recorded in
 * {@code snapshots/<name>/users/<sandbox>} (the sandbox directory's path) and the snapshot cannot be removed
 * while one of them exists. A user whose directory is gone no longer counts.
 */
public final class NamedSnapshots {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final AgentkernelHome home;

    public NamedSnapshots(AgentkernelHome home) {
        this.home = home;
    }

    /** Bad input unless {@code name} is 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UserInputException("a snapshot name is 1-63 letters, digits, '.', '-' or '_' (starting with a"
                    + " letter or digit), not " + dev.agentkernel.errors.Quote.name(String.valueOf(name)));
        }
        return name;
    }

    public Path root() {
        return home.root().resolve("snapshots");
    }

    public SnapshotFiles files(String name) {
        return new SnapshotFiles(root().resolve(checkName(name)));
    }

    public boolean exists(String name) {
        return Files.isRegularFile(files(name).header());
    }

    public FileLocks.Held lock(String name) {
        return FileLocks.exclusive(home.locks().resolve("snapshot-named-" + checkName(name) + ".lock"));
    }

    /** Every complete snapshot's name, sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(root())) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root())) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (NAME.matcher(name).matches() && Files.isRegularFile(dir.resolve("snapshot.json"))) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + root() + ": " + e.getMessage(), e);
        }
        names.sort(null);
        return names;
    }

    public void addUser(String name, String sandbox, Path sandboxDir) {
        AtomicFiles.write(files(name).dir().resolve("users").resolve(sandbox),
                sandboxDir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets {@code sandbox} as a user of every snapshot (it is being removed). */
    public void removeUser(String sandbox) {
        for (String name : names()) {
            AtomicFiles.deleteQuietly(files(name).dir().resolve("users").resolve(sandbox));
        }
    }

    /** The snapshots whose disk the sandbox's disk is built on. */
    public List<String> usedBy(String sandbox) {
        return names().stream().filter(n -> users(n).contains(sandbox)).toList();
    }

    /** The sandboxes whose disks are built on the snapshot's, sorted. */
    public List<String> users(String name) {
        Path dir = files(name).dir().resolve("users");
        List<String> users = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return users;
        }
        try (DirectoryStream<Path> pins = Files.newDirectoryStream(dir)) {
            for (Path pin : pins) {
                String user = pin.getFileName().toString();
                if (user.startsWith(".")) {
                    continue;
                }
                if (stillThere(pin)) {
                    users.add(user);
                } else {
                    AtomicFiles.deleteQuietly(pin);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the users of snapshot " + name + ": " + e.getMessage(), e);
        }
        users.sort(null);
        return users;
    }

    private static boolean stillThere(Path pin) {
        try {
            return Files.size(pin) > 4096 || Files.isDirectory(Path.of(Files.readString(pin, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Deletes a snapshot's files; the caller holds its lock and has checked it has no users. */
    public void remove(String name) {
        SnapshotCapture.deleteTree(files(name).dir());
    }
}
