package dev.agentkernel.sandbox;

import dev.agentkernel.errors.VmException;
import dev.agentkernel.ext4.Ext4Options;
import dev.agentkernel.ext4.Ext4Writer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A sandbox's second drive: an empty ext4 file system written by the project's own writer into a sparse file of
 * the sandbox directory (so it goes with the sandbox), no journal (nothing on it outlives the sandbox). The guest
 * finds it by its volume label, {@value #LABEL}, and mounts it on request ({@code agent build-mount}).
 *
 * <p>The image is the same bytes every time for one size (a fixed seed, epoch times): a VM restored from a boot
 * snapshot gets a drive identical to the one the saved guest probed (its size is in the snapshot's fingerprint),
 * and the guest never wrote or mounted it before the snapshot was taken.
 */
public final class ScratchDisk {
    /** The volume label the guest looks for (agent build-mount); at most 16 bytes. */
    public static final String LABEL = "ak-scratch";
    private static final long MIN_BYTES = 64L << 20;
    private static final long MAX_BYTES = 1L << 40;
    private static final byte[] SEED = "agentkernel scratch disk".getBytes(StandardCharsets.UTF_8);

    private ScratchDisk() {
    }

    /** An IllegalArgumentException unless {@code bytes} is a size a scratch disk can have (whole 4 KiB blocks). */
    static void checkSize(long bytes) {
        if (bytes < MIN_BYTES || bytes > MAX_BYTES || bytes % 4096 != 0) {
            throw new IllegalArgumentException("a scratch disk is 64 MiB to 1 TiB in whole 4 KiB blocks, not " + bytes);
        }
    }

    /** Writes the empty file system at {@code file} (through a temporary sibling, renamed into place). */
    static void create(Path file, long bytes) {
        checkSize(bytes);
        try (Ext4Writer writer = Ext4Writer.create(file, Ext4Options.builder().seed(SEED).fixedSizeBytes(bytes)
                .journal(false).volumeLabel(LABEL).build())) {
            writer.finish();
        } catch (IOException | RuntimeException e) {
            throw new VmException("cannot make the scratch disk " + file + ": " + e.getMessage(), e);
        }
    }
}
