package dev.agentkernel.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * One entry of the {@code manifest.json} array that {@code docker save} and {@code podman save} write: paths
 * inside the archive of the config and of the layers (base first), and the image's tags.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DockerArchiveManifestJson(
        @JsonProperty("Config") String config,
        @JsonProperty("RepoTags") List<String> repoTags,
        @JsonProperty("Layers") List<String> layers,
        @JsonProperty("LayerSources") Map<String, DescriptorJson> layerSources) {
}
