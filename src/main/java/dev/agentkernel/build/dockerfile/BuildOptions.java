package dev.agentkernel.build.dockerfile;

import dev.agentkernel.image.Platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a build is asked for besides the Dockerfile: {@code --build-arg} values, the {@code --target} stage, the
 * platform the image is for and the platform the build runs on (they give the automatic {@code TARGET*} and
 * {@code BUILD*} args).
 */
public record BuildOptions(Map<String, String> buildArgs, Optional<String> target, Platform targetPlatform,
                           Platform buildPlatform) {
    public BuildOptions {
        buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    }

    /** No build args, the last stage, and this machine's platform for both. */
    public static BuildOptions defaults() {
        return new BuildOptions(Map.of(), Optional.empty(), Platform.host(), Platform.host());
    }

    public BuildOptions withBuildArgs(Map<String, String> args) {
        return new BuildOptions(args, target, targetPlatform, buildPlatform);
    }

    public BuildOptions withTarget(String stage) {
        return new BuildOptions(buildArgs, Optional.of(stage), targetPlatform, buildPlatform);
    }
}
