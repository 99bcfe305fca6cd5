package dev.agentkernel.snapshot;

import dev.agentkernel.errors.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The files of one snapshot: {@code state.bin} (QEMU's migration stream: RAM and device state),
 * {@code disk.qcow2} (the guest's disk at that instant, a qcow2 layer over the cached rootfs; restored VMs get
 * overlays over it and never write it) and {@code snapshot.json}, the header, which makes it a snapshot. A
 * Firecracker snapshot has {@code state.bin} (Firecracker's device state), {@code memory.bin} (the guest memory)
 * and {@code disk.raw} (a reflink or sparse copy of the disk) instead, and says so in its header.
 */
public record SnapshotFiles(Path dir) {
    /** QEMU's migration stream starts with "QEVM". */
    private static final byte[] STATE_MAGIC = {'Q', 'E', 'V', 'M'};

    public Path header() {
        return dir.resolve("snapshot.json");
    }

    public Path state() {
        return dir.resolve("state.bin");
    }

    public Path disk() {
        return dir.resolve("disk.qcow2");
    }

    /** A Firecracker snapshot's guest memory ({@code mem_file_path}). */
    public Path memory() {
        return dir.resolve("memory.bin");
    }

    /** A Firecracker snapshot's disk: Firecracker reads raw images only. */
    public Path rawDisk() {
        return dir.resolve("disk.raw");
    }

    public SnapshotHeader readHeader() {
        return SnapshotJson.read(header(), SnapshotHeader.class);
    }

    /**
     * Why this snapshot cannot restore a VM whose fingerprint is {@code expected} (null: any), or empty when it
     * can: a missing or unreadable header, another QEMU, kernel, rootfs or machine options, a state file that is
     * missing, truncated or not a QEMU stream, a missing disk.
     */
    public Optional<String> problem(MachineFingerprint expected) {
        if (!Files.isRegularFile(header())) {
            return Optional.of("it has no header (" + header() + ")");
        }
        SnapshotHeader header;
        try {
            header = readHeader();
        } catch (StoreException e) {
            return Optional.of("its header is unreadable: " + e.getMessage());
        }
        if (header.fingerprint() == null) {
            return Optional.of("its header names nothing it was made from");
        }
        if (expected != null) {
            Optional<String> mismatch = expected.mismatch(header.fingerprint());
            if (mismatch.isPresent()) {
                return mismatch;
            }
        }
        try {
            long size = Files.isRegularFile(state()) ? Files.size(state()) : -1;
            if (size < 0) {
                return Optional.of("its state file " + state() + " is missing");
            }
            if (size != header.stateBytes()) {
                return Optional.of("its state file is truncated or changed (" + size + " bytes, the header says "
                        + header.stateBytes() + ")");
            }
            if (header.firecracker()) {
                long memory = Files.isRegularFile(memory()) ? Files.size(memory()) : -1;
                if (memory != header.memoryBytes()) {
                    return Optional.of("its memory file " + memory() + " is missing, truncated or changed (" + memory
                            + " bytes, the header says " + header.memoryBytes() + ")");
                }
                return Files.isRegularFile(rawDisk()) ? Optional.empty()
                        : Optional.of("its disk " + rawDisk() + " is missing");
            }
            try (InputStream in = Files.newInputStream(state())) {
                if (!Arrays.equals(in.readNBytes(STATE_MAGIC.length), STATE_MAGIC)) {
                    return Optional.of("its state file is not a QEMU state stream");
                }
            }
            if (!Files.isRegularFile(disk())) {
                return Optional.of("its disk " + disk() + " is missing");
            }
        } catch (IOException e) {
            return Optional.of("its files cannot be read: " + e.getMessage());
        }
        return Optional.empty();
    }
}
