package dev.agentkernel.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * An image configuration (OCI {@code config.md}; Docker's {@code application/vnd.docker.container.image.v1+json}
 * has the same fields we read). Only the fields agentkernel uses are mirrored; the rest is ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigJson(
        @JsonProperty("created") String created,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") ContainerConfigJson config,
        @JsonProperty("rootfs") RootFsJson rootfs) {

    /** {@code rootfs}: the layers' uncompressed digests, base layer first. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RootFsJson(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<String> diffIds) {
    }

    /** {@code config}: how a container of this image runs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContainerConfigJson(
            @JsonProperty("User") String user,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels) {
    }
}
