package dev.agentkernel.snapshot;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.vm.DiskCopy;
import dev.agentkernel.vm.FirecrackerApi;

import java.nio.file.Files;
import java.nio.file.Path;

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
        return StagedSnapshot.commit(target, files -> {
            boolean paused = false;
            try {
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
                    StagedSnapshot.force(file);
                }
                SnapshotHeader made = header.make(Files.size(files.state()), Files.size(files.memory()));
                if (!made.firecracker()) {
                    throw new IllegalArgumentException("a Firecracker snapshot's header must say monitor "
                            + SnapshotHeader.FIRECRACKER);
                }
                return made;
            } finally {
                if (paused) {
                    try {
                        api.resume();
                    } catch (VmException e) {
                        // the first error is the one to report
                    }
                }
            }
        });
    }

    /**
     * Loads {@code files} into a Firecracker started with only {@code --api-sock} (its working directory the new
     * sandbox's, where the snapshot's relative disk and vsock paths resolve): {@code PUT /snapshot/load} with
     * the memory file as its backend, resumed at once.
     */
    public static void load(FirecrackerApi api, SnapshotFiles files) {
        api.loadSnapshot(files.state().toAbsolutePath(), files.memory().toAbsolutePath());
    }
}
