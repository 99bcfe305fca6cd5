package dev.agentkernel.rootfs;

import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageRunConfig;

import java.nio.file.Path;

/**
 * A converted root filesystem. A cached one ({@code output} not given) must never be modified: callers that
 * boot it copy it first.
 *
 * @param path            the ext4 image
 * @param filesystemBytes the file system's size (the file's apparent size)
 * @param entries         files, directories, links and nodes in it, injected ones included
 * @param imageDigest     the image's manifest digest
 * @param cacheHit        whether an earlier conversion was reused
 * @param seconds         time this call took
 * @param runConfig       how the image runs (its Env, WorkingDir, User, Entrypoint, Cmd)
 * @param cacheKey        the cache key ({@code rootfs/<key>.ext4}), null for {@code -o FILE}
 */
public record RootfsResult(Path path, long filesystemBytes, long entries, Digest imageDigest, boolean cacheHit,
                           double seconds, ImageRunConfig runConfig, String cacheKey) {
    /** Bytes the file occupies on disk (it is sparse); asked of the file system on each call. */
    public long diskBytes() {
        return DiskUsage.of(path, filesystemBytes);
    }
}
