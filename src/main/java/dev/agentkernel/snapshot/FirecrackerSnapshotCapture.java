package dev.agentkernel.snapshot;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.TemporaryFiles;
import dev.agentkernel.vm.DiskCopy;
import dev.agentkernel.vm.FirecrackerApi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Saves a running Firecracker VM into a snapshot directory through its API, the way {@link SnapshotCapture}
 * saves a QEMU one: {@code PATCH /vm Paused}; the raw disk copied (reflink where the file system shares blocks,
 * else sparse: Firecracker writes the guest's disk writes straight into the file, so with the vCPUs paused it is
 * the disk of that instant); {@code PUT /snapshot/create} (Full) writing {@code state.bin} and {@code memory.bin};
 * {@code PATCH /vm Resumed} on every path; the files forced to disk, the header written last and the temporary
 * directory renamed into place, so the snapshot is complete or absent.
 *
 * <p>Written against Firecracker's API description and tested against a stand-in API server only: Firecracker
 * needs KVM, which this project's build machine cannot give it.
 */
public final class FirecrackerSnapshotCapture {
    private FirecrackerSnapshotCapture() {
    }

    /** Makes the header from the sizes of the state and memory files. */
    @FunctionalInterface
    public interface HeaderMaker {
        SnapshotHeader make(long stateBytes, long memoryBytes);
    }

    public static SnapshotHeader capture(FirecrackerApi api, Path vmDisk, Path target, HeaderMaker header) {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + TemporaryFiles.ownerTag() + ".tmp");
        SnapshotFiles files = new SnapshotFiles(temp);
        boolean paused = false;
        try {
            Files.createDirectories(temp);
            api.pause();
            paused = true;
            DiskCopy.copy(vmDisk, files.rawDisk());
            api.createSnapshot(files.state().toAbsolutePath(), files.memory().toAbsolutePath());
            paused = false;
            api.resume();
            for (Path file : new Path[] {files.rawDisk(), files.state(), files.memory()}) {
                if (!Files.isRegularFile(file)) {
                    throw new VmException("Firecracker answered the snapshot request but wrote no " + file);
                }
                force(file);
            }
            SnapshotHeader made = header.make(Files.size(files.state()), Files.size(files.memory()));
            if (!made.firecracker()) {
                throw new IllegalArgumentException("a Firecracker snapshot's header must say monitor " + SnapshotHeader.FIRECRACKER);
            }
            SnapshotJson.write(files.header(), made);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            return made;
        } catch (IOException e) {
            throw new StoreException("cannot save a snapshot to " + target + ": " + e.getMessage(), e);
        } finally {
            if (paused) {
                try {
                    api.resume();
                } catch (VmException e) {
                    // the first error is the one to report
                }
            }
            if (temp != null) {
                SnapshotCapture.deleteTree(temp);
            }
        }
    }

    /**
     * Loads {@code files} into a Firecracker started with only {@code --api-sock} (its working directory the new
     * sandbox's, where the snapshot's relative disk and vsock paths resolve): {@code PUT /snapshot/load} with
     * the memory file as its backend, resumed at once.
     */
    public static void load(FirecrackerApi api, SnapshotFiles files) {
        api.loadSnapshot(files.state().toAbsolutePath(), files.memory().toAbsolutePath());
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }
}
