package dev.agentkernel.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What agentkernel needs from an image configuration: its platform, the layers' uncompressed digests
 * ({@code rootfs.diff_ids}, base first) and how a container of it runs.
 */
public record ImageConfig(Optional<Platform> platform, List<Digest> diffIds, List<String> env,
                          List<String> entrypoint, List<String> cmd, String workingDir, String user,
                          Map<String, String> labels) {
    public ImageConfig {
        Objects.requireNonNull(platform, "platform");
        diffIds = List.copyOf(diffIds);
        env = env == null ? List.of() : List.copyOf(env);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
