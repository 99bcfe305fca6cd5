package dev.agentkernel.image.source;

import dev.agentkernel.image.Platform;
import dev.agentkernel.store.AgentkernelHome;

import java.util.Objects;

/**
 * What opening a source needs besides its name.
 *
 * @param platform the platform to pick from an index ({@link Platform#host()} unless the user says otherwise)
 * @param home     the data directory (local image store, blob cache, scratch space for exports)
 */
public record SourceOptions(Platform platform, AgentkernelHome home) {
    public SourceOptions {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(home, "home");
    }

    public static SourceOptions defaults(AgentkernelHome home) {
        return new SourceOptions(Platform.host(), home);
    }
}
