package dev.agentkernel.build.dockerfile;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parts of an image config a Dockerfile reads and writes ({@code config} in the OCI image config): what a
 * base image brings to a stage, and what a stage leaves for its image. Empty strings and lists mean "not set".
 *
 * @param env          {@code KEY=value} entries in order
 * @param exposedPorts {@code port/proto}, e.g. {@code 80/tcp}
 * @param onBuild      ONBUILD triggers, each an instruction's text
 * @param author       MAINTAINER (the config's top-level {@code author})
 */
public record ImageSettings(List<String> env, List<String> cmd, List<String> entrypoint, String workingDir,
                            String user, Map<String, String> labels, Set<String> exposedPorts, Set<String> volumes,
                            String stopSignal, Optional<HealthcheckConfig> healthcheck, List<String> onBuild,
                            List<String> shell, String author) {
    public ImageSettings {
        env = List.copyOf(env);
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        exposedPorts = Collections.unmodifiableSet(new TreeSet<>(exposedPorts));
        volumes = Collections.unmodifiableSet(new TreeSet<>(volumes));
        stopSignal = stopSignal == null ? "" : stopSignal;
        onBuild = List.copyOf(onBuild);
        shell = List.copyOf(shell);
        author = author == null ? "" : author;
    }

    /** What {@code FROM scratch} starts from: nothing at all. */
    public static ImageSettings empty() {
        return new ImageSettings(List.of(), List.of(), List.of(), "", "", Map.of(), Set.of(), Set.of(), "",
                Optional.empty(), List.of(), List.of(), "");
    }

    /** These settings with {@code extra} labels added, replacing those of the same keys ({@code build --label}). */
    public ImageSettings withLabels(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(labels);
        merged.putAll(extra);
        return new ImageSettings(env, cmd, entrypoint, workingDir, user, merged, exposedPorts, volumes, stopSignal,
                healthcheck, onBuild, shell, author);
    }

    /** The value of {@code name} in {@link #env}, if set. */
    public Optional<String> envValue(String name) {
        for (String e : env) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : e.substring(eq + 1));
            }
        }
        return Optional.empty();
    }
}
