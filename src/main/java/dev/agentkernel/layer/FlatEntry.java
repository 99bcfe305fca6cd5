package dev.agentkernel.layer;

/**
 * One entry of a flattened root filesystem. Paths are relative to the root, '/'-separated, without a leading
 * slash; {@code ""} is the root directory itself.
 */
public sealed interface FlatEntry {
    String path();

    /** A directory; {@code implied} when no layer described it (only a child's path did): then its metadata is
     *  {@link EntryMetadata#IMPLIED_DIRECTORY} and rootfs may substitute its own defaults. */
    record Directory(String path, EntryMetadata metadata, boolean implied) implements FlatEntry {
    }

    /** A regular file whose {@code size} bytes the {@link ContentSink} holds as {@code content}. */
    record RegularFile(String path, EntryMetadata metadata, long size, ContentRef content) implements FlatEntry {
    }

    /** A symbolic link; its target is kept exactly as the layer wrote it (absolute, relative or dangling). */
    record Symlink(String path, EntryMetadata metadata, String target) implements FlatEntry {
    }

    /** A further name of the inode first listed at {@code targetPath} (which precedes it in the tree). */
    record HardLink(String path, String targetPath) implements FlatEntry {
    }

    /** A character ({@code block == false}) or block device node. */
    record Device(String path, EntryMetadata metadata, boolean block, int major, int minor) implements FlatEntry {
    }

    /** A named pipe. */
    record Fifo(String path, EntryMetadata metadata) implements FlatEntry {
    }
}
