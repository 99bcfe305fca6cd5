package dev.agentkernel.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.build.dockerfile.ImageSettings;

import java.util.List;

/**
 * A built stage: every layer of its file system base first (the first {@code bootLayers} of them the image its
 * build VM boots from), the base's config (for its history), the stage's history entries, its final config and
 * file system state.
 *
 * @param bootSource the source of the image the build VM boots from; null for a stage built FROM scratch
 */
record StageResult(String bootSource, int bootLayers, List<LayerBlob> layers, JsonNode baseConfig,
                   List<ImageJson.History> history, ImageSettings config, StateTree state) {
    StageResult {
        layers = List.copyOf(layers);
        history = List.copyOf(history);
    }
}
