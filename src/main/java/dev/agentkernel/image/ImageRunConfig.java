package dev.agentkernel.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * How the image says its processes run ({@code docker run} semantics): {@code Env} (with its {@code PATH}),
 * {@code WorkingDir}, {@code User}, {@code Entrypoint} and {@code Cmd}. Kept in the sandbox's record so every
 * command gets them without reading the image again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageRunConfig(@JsonProperty("env") List<String> env,
                             @JsonProperty("entrypoint") List<String> entrypoint,
                             @JsonProperty("cmd") List<String> cmd,
                             @JsonProperty("workingDir") String workingDir,
                             @JsonProperty("user") String user) {
    public static final ImageRunConfig NONE = new ImageRunConfig(List.of(), List.of(), List.of(), "", "");

    public ImageRunConfig {
        env = env == null ? List.of() : List.copyOf(env);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
    }

    public static ImageRunConfig of(ImageConfig config) {
        return new ImageRunConfig(config.env(), config.entrypoint(), config.cmd(), config.workingDir(), config.user());
    }

    /** {@code Entrypoint} + {@code Cmd}: what {@code docker run IMAGE} runs with no command. */
    public List<String> defaultCommand() {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(entrypoint);
        all.addAll(cmd);
        return all;
    }
}
