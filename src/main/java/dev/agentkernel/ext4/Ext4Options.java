package dev.agentkernel.ext4;

import java.util.Objects;

/**
 * How to write an image.
 *
 * @param seed             bytes the UUID and the htree hash seed derive from (e.g. the image digest)
 * @param fixedSizeBytes   exact image size, or 0 to size the image to its content plus the free space below
 * @param freeBytes        free space to leave when not fixed
 * @param freeInodes       free inodes to leave
 * @param journal          whether to create a jbd2 journal (off for read-only images)
 * @param defaultTimestamp the time of directories that are implied but never added, and of the superblock
 * @param volumeLabel      at most 16 bytes of UTF-8
 */
public record Ext4Options(byte[] seed, long fixedSizeBytes, long freeBytes, long freeInodes, boolean journal,
                          Timestamp defaultTimestamp, String volumeLabel) {
    public Ext4Options {
        seed = Objects.requireNonNull(seed, "seed").clone();
        Objects.requireNonNull(defaultTimestamp, "defaultTimestamp");
        volumeLabel = volumeLabel == null ? "" : volumeLabel;
        if (fixedSizeBytes < 0 || freeBytes < 0 || freeInodes < 0) {
            throw new IllegalArgumentException("sizes must not be negative");
        }
        if (volumeLabel.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 16) {
            throw new IllegalArgumentException("volume label longer than 16 bytes: " + volumeLabel);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public byte[] seed() {
        return seed.clone();
    }

    public boolean fixedSize() {
        return fixedSizeBytes > 0;
    }

    public static final class Builder {
        private byte[] seed = new byte[0];
        private long fixedSizeBytes;
        private long freeBytes;
        private long freeInodes;
        private boolean journal = true;
        private Timestamp defaultTimestamp = Timestamp.EPOCH;
        private String volumeLabel = "";

        public Builder seed(byte[] value) {
            this.seed = value.clone();
            return this;
        }

        public Builder fixedSizeBytes(long value) {
            this.fixedSizeBytes = value;
            return this;
        }

        public Builder freeBytes(long value) {
            this.freeBytes = value;
            return this;
        }

        public Builder freeInodes(long value) {
            this.freeInodes = value;
            return this;
        }

        public Builder journal(boolean value) {
            this.journal = value;
            return this;
        }

        public Builder defaultTimestamp(Timestamp value) {
            this.defaultTimestamp = value;
            return this;
        }

        public Builder volumeLabel(String value) {
            this.volumeLabel = value;
            return this;
        }

        public Ext4Options build() {
            return new Ext4Options(seed, fixedSizeBytes, freeBytes, freeInodes, journal, defaultTimestamp,
                    volumeLabel);
        }
    }
}
