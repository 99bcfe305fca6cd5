package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import dev.agentkernel.store.ImageStoreTestRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code images --json} and {@code images inspect --json} carry the seed's field names beside ours. */
class SeedMetadataNamesTest {
    @TempDir
    Path home;

    @Test
    void bothJsonOutputsHaveTheSeedsFieldNames() throws Exception {
        ImageStore store = new ImageStore(AgentkernelHome.at(home));
        ImageRecord built = ImageStoreTestRecords.built("tools");
        ImageRecord pulled = ImageStoreTestRecords.pulled("docker.io/library/alpine:3.19");
        store.put(built);
        store.put(pulled);

        JsonNode inspected = new ObjectMapper().readTree(CliRun.run(home, "images", "inspect", "tools", "--json").out());
        assertSeedFields(inspected, built);
        assertThat(inspected.get("dockerfile").asText()).isEqualTo(built.build().dockerfile().toString());
        assertThat(inspected.get("context").asText()).isEqualTo(built.build().context().toString());
        assertThat(inspected.get("id").asText()).isEqualTo(built.id().toString()); // ours stay

        JsonNode listed = new ObjectMapper().readTree(CliRun.run(home, "images", "--json").out());
        assertThat(listed).hasSize(2);
        for (JsonNode image : listed) {
            ImageRecord record = image.get("name").asText().equals("tools") ? built : pulled;
            assertSeedFields(image, record);
        }
        JsonNode alpine = listed.get(0).get("name").asText().equals("tools") ? listed.get(1) : listed.get(0);
        assertThat(alpine.has("dockerfile")).isTrue();
        assertThat(alpine.get("dockerfile").isNull()).isTrue();
        assertThat(alpine.get("context").isNull()).isTrue();
    }

    private static void assertSeedFields(JsonNode json, ImageRecord r) {
        for (String field : List.of("name", "image_id", "size_bytes", "built_at", "dockerfile", "context", "labels")) {
            assertThat(json.has(field)).as(field).isTrue();
        }
        assertThat(json.get("name").asText()).isEqualTo(r.name());
        assertThat(json.get("image_id").asText()).isEqualTo(r.id().toString());
        assertThat(json.get("size_bytes").asLong()).isEqualTo(r.size());
        assertThat(json.get("built_at").asText()).isEqualTo(r.createdAt().toString());
        assertThat(json.get("labels").isObject()).isTrue();
    }
}
