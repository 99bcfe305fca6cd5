package dev.agentkernel.rootfs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.image.ImageRunConfig;

/**
 * The {@code rootfs/<key>.json} beside a cached {@code <key>.ext4}: what it was made from and its sizes. The
 * file's modification time is when the entry was last used (prune goes by it). {@code config} is how the image
 * runs (Env, WorkingDir, User, Entrypoint, Cmd), so a sandbox created from a cache hit need not read the image.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CacheEntry(
        @JsonProperty("key") String key,
        @JsonProperty("source") String source,
        @JsonProperty("manifestDigest") String manifestDigest,
        @JsonProperty("imageId") String imageId,
        @JsonProperty("agentDigest") String agentDigest,
        @JsonProperty("initVersion") int initVersion,
        @JsonProperty("filesystemBytes") long filesystemBytes,
        @JsonProperty("entries") long entries,
        @JsonProperty("createdAt") String createdAt,
        @JsonProperty("config") ImageRunConfig config) {
}
