package dev.agentkernel.rootfs;

import dev.agentkernel.image.Platform;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to convert.
 *
 * @param fixedSizeBytes an exact file system size ({@code --size}), or empty to size automatically
 * @param freeBytes      free space added to the content when sizing automatically ({@code --free}); costs no
 *                       disk space, the image being sparse
 * @param agent          the guest agent to inject
 * @param platform       the platform to pick from an index
 * @param useCache       false for {@code --no-cache}: convert again and replace the cache entry
 * @param output         {@code -o FILE}: write there instead of the cache
 */
public record RootfsOptions(Optional<Long> fixedSizeBytes, long freeBytes, AgentChoice agent, Platform platform,
                            boolean useCache, Optional<Path> output) {
    public static final long DEFAULT_FREE_BYTES = 1L << 30;

    public RootfsOptions {
        Objects.requireNonNull(fixedSizeBytes, "fixedSizeBytes");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(output, "output");
        if (freeBytes < 0) {
            throw new IllegalArgumentException("negative free space");
        }
    }

    /** Automatic size with 1 GiB free, the packaged agent, the host platform, cached. */
    public static RootfsOptions defaults() {
        return new RootfsOptions(Optional.empty(), DEFAULT_FREE_BYTES, AgentChoice.packaged(), Platform.host(), true,
                Optional.empty());
    }

    public RootfsOptions withAgent(AgentChoice value) {
        return new RootfsOptions(fixedSizeBytes, freeBytes, value, platform, useCache, output);
    }

    public RootfsOptions withFixedSize(long bytes) {
        return new RootfsOptions(Optional.of(bytes), freeBytes, agent, platform, useCache, output);
    }

    public RootfsOptions withFreeBytes(long bytes) {
        return new RootfsOptions(fixedSizeBytes, bytes, agent, platform, useCache, output);
    }

    public RootfsOptions withPlatform(Platform value) {
        return new RootfsOptions(fixedSizeBytes, freeBytes, agent, value, useCache, output);
    }

    public RootfsOptions withCache(boolean value) {
        return new RootfsOptions(fixedSizeBytes, freeBytes, agent, platform, value, output);
    }

    public RootfsOptions withOutput(Path file) {
        return new RootfsOptions(fixedSizeBytes, freeBytes, agent, platform, useCache, Optional.of(file));
    }
}
