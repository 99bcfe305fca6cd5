package dev.agentkernel.engine;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Dockerfile build, as {@code docker build} takes it. Validation of user input happens before (in
 * {@code build}); this only carries it to the engine.
 *
 * @param tag        the tag to give the image, e.g. {@code agentkernel-my-tools}
 * @param context    the build context directory
 * @param dockerfile the Dockerfile ({@code -f})
 * @param buildArgs  {@code --build-arg KEY=VALUE}, in the order given
 * @param target     the stage to build ({@code --target}), or null for the last
 * @param noCache    whether to ignore the engine's layer cache
 * @param labels     labels to set on the image ({@code --label KEY=VALUE})
 * @param platform   {@code --platform OS/ARCH[/VARIANT]}, or null for the engine's default
 */
public record BuildRequest(String tag, Path context, Path dockerfile, Map<String, String> buildArgs, String target,
                           boolean noCache, Map<String, String> labels, String platform) {
    public BuildRequest(String tag, Path context, Path dockerfile, Map<String, String> buildArgs, String target,
                        boolean noCache, Map<String, String> labels) {
        this(tag, context, dockerfile, buildArgs, target, noCache, labels, null);
    }

    public BuildRequest {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(dockerfile, "dockerfile");
        buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs == null ? Map.of() : buildArgs));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
    }
}
