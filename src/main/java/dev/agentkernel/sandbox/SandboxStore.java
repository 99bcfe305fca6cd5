package dev.agentkernel.sandbox;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.AtomicFiles;
import dev.agentkernel.store.FileLocks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sandboxes on disk: {@code sandboxes/<name>/} with its record, and a lock per sandbox in {@code locks/}
 * (outside the directory, so removing a sandbox never deletes a lock someone holds). Every change of a record
 * happens under its lock; reading needs none (records are replaced atomically).
 */
public final class SandboxStore {
    /** Unix socket paths are limited to 108 bytes by the kernel. */
    private static final int MAX_SOCKET_PATH = 100;

    private final AgentkernelHome home;

    public SandboxStore(AgentkernelHome home) {
        this.home = home;
    }

    public AgentkernelHome home() {
        return home;
    }

    public SandboxDirectory directory(SandboxName name) {
        return new SandboxDirectory(home.sandboxes().resolve(name.value()));
    }

    /** The sandbox's lock; held while its record, disk or monitor change. */
    public FileLocks.Held lock(SandboxName name) {
        return FileLocks.exclusive(lockFile(name));
    }

    /** The sandbox's lock if nobody holds it now (a create, start, stop or rm in progress does). */
    public Optional<FileLocks.Held> tryLock(SandboxName name) {
        return FileLocks.tryExclusive(lockFile(name));
    }

    private Path lockFile(SandboxName name) {
        return home.locks().resolve("sandbox-" + name.value() + ".lock");
    }

    public boolean exists(SandboxName name) {
        return Files.isRegularFile(directory(name).record());
    }

    public Optional<SandboxRecord> find(SandboxName name) {
        SandboxDirectory dir = directory(name);
        return Files.isRegularFile(dir.record()) ? Optional.of(SandboxJson.read(dir.record(), SandboxRecord.class))
                : Optional.empty();
    }

    /** The record, or bad input saying there is no such sandbox. */
    public SandboxRecord get(SandboxName name) {
        return find(name).orElseThrow(() -> new NoSuchSandboxException(name));
    }

    public void write(SandboxRecord record) {
        SandboxJson.write(directory(SandboxName.of(record.name())).record(), record);
    }

    /** Makes the (new) directory of {@code name}; the caller holds its lock and has checked it is free. */
    public SandboxDirectory createDirectory(SandboxName name) {
        SandboxDirectory dir = directory(name);
        if (!hasSocketRoom(dir)) {
            throw new UserInputException("the data directory " + home.root() + " is too deep for Unix sockets ("
                    + MAX_SOCKET_PATH + " bytes at most): set AGENTKERNEL_HOME to a shorter path");
        }
        try {
            deleteTree(dir.path()); // a directory without a record is a failed create's leftover
            Files.createDirectories(dir.path().resolve("ports"));
            return dir;
        } catch (IOException e) {
            throw new StoreException("cannot create the sandbox directory " + dir.path() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the longest socket path in {@code dir} fits the kernel's limit for Unix sockets. */
    static boolean hasSocketRoom(SandboxDirectory dir) {
        return dir.path().resolve("agent-15.sock").toString().length() <= MAX_SOCKET_PATH;
    }

    /** The names of every sandbox with a record, sorted. */
    public List<SandboxName> names() {
        List<SandboxName> names = new ArrayList<>();
        if (!Files.isDirectory(home.sandboxes())) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(home.sandboxes())) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Files.isRegularFile(dir.resolve("sandbox.json")) && isValidName(name)) {
                    names.add(SandboxName.of(name));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + home.sandboxes() + ": " + e.getMessage(), e);
        }
        names.sort((a, b) -> a.value().compareTo(b.value()));
        return names;
    }

    /** Directories under sandboxes/ without a record, not modified for {@code age}: what killed processes left. */
    public List<SandboxName> leftoverDirectories(java.time.Duration age) {
        List<SandboxName> names = new ArrayList<>();
        if (!Files.isDirectory(home.sandboxes())) {
            return names;
        }
        java.time.Instant limit = java.time.Instant.now().minus(age);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(home.sandboxes())) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (isValidName(name) && Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && !Files.exists(dir.resolve("sandbox.json"))
                        && Files.getLastModifiedTime(dir).toInstant().isBefore(limit)) {
                    names.add(SandboxName.of(name));
                }
            }
        } catch (IOException e) {
            // nothing to sweep this time
        }
        return names;
    }

    private static boolean isValidName(String name) {
        try {
            SandboxName.of(name);
            return true;
        } catch (UserInputException e) {
            return false;
        }
    }

    /** Deletes a directory tree without following symbolic links; fails when something could not be deleted. */
    static void deleteTree(Path dir) throws IOException {
        dev.agentkernel.vm.Sandbox.deleteTree(dir);
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("could not delete everything in " + dir);
        }
    }
}
