package dev.agentkernel.ext4;

import java.util.Objects;

/**
 * One entry of the tree to write. Paths are relative to the root, {@code /}-separated, without a leading slash;
 * {@code ""} is the root directory itself. Names and symlink targets are written as UTF-8, except that a lone
 * surrogate U+DC80 to U+DCFF is written as the single byte 0x80 to 0xFF (Python's "surrogateescape"), so names
 * that are not UTF-8 pass through unchanged.
 */
public sealed interface Ext4Entry {
    String path();

    record Directory(String path, Metadata metadata) implements Ext4Entry {
        public Directory {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
        }
    }

    record RegularFile(String path, Metadata metadata, FileContent content) implements Ext4Entry {
        public RegularFile {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
            Objects.requireNonNull(content);
        }
    }

    record Symlink(String path, Metadata metadata, String target) implements Ext4Entry {
        public Symlink {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
            if (target == null || target.isEmpty()) {
                throw new IllegalArgumentException("symlink " + path + " has an empty target");
            }
        }
    }

    /** A second name for the regular file (or symlink, device, ...) at {@code targetPath}. */
    record HardLink(String path, String targetPath) implements Ext4Entry {
        public HardLink {
            Objects.requireNonNull(path);
            Objects.requireNonNull(targetPath);
        }
    }

    record Device(String path, Metadata metadata, boolean block, int major, int minor) implements Ext4Entry {
        public Device {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
            if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
                throw new IllegalArgumentException("device number out of range: " + major + ":" + minor);
            }
        }
    }

    record Fifo(String path, Metadata metadata) implements Ext4Entry {
        public Fifo {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
        }
    }

    record Socket(String path, Metadata metadata) implements Ext4Entry {
        public Socket {
            Objects.requireNonNull(path);
            Objects.requireNonNull(metadata);
        }
    }
}
