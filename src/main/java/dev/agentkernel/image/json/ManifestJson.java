package dev.agentkernel.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** An image manifest: OCI {@code manifest.md} or Docker image manifest V2 schema 2 (same fields). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestJson(
        @JsonProperty("schemaVersion") Integer schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("config") DescriptorJson config,
        @JsonProperty("layers") List<DescriptorJson> layers,
        @JsonProperty("annotations") Map<String, String> annotations) {
}
