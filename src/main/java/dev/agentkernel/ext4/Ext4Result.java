package dev.agentkernel.ext4;

import java.nio.file.Path;

/** What {@link Ext4Writer#finish()} produced: the image and its sizes. */
public record Ext4Result(Path path, long sizeBytes, long blockCount, long freeBlocks, long inodeCount,
                         long freeInodes) {
}
