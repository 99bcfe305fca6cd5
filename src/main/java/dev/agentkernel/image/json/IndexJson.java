package dev.agentkernel.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * An image index (OCI {@code image-index.md}) or Docker manifest list; also the {@code index.json} at the top
 * of an OCI image layout.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexJson(
        @JsonProperty("schemaVersion") Integer schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<DescriptorJson> manifests,
        @JsonProperty("annotations") Map<String, String> annotations) {
}
