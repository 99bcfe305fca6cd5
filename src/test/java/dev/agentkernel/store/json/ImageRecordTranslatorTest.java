package dev.agentkernel.store.json;

import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStoreTestRecords;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageRecordTranslatorTest {
    @Test
    void builtRecordsUseSnakeCaseFieldsAndOmitAbsentOnes() throws Exception {
        ImageRecord demo = ImageStoreTestRecords.built("demo");
        String json = new String(ImageRecordTranslator.toBytes(demo), StandardCharsets.UTF_8);
        assertThat(json).contains("\"name\" : \"demo\"", "\"origin\" : \"built\"", "\"engine\" : \"podman\"",
                "\"engine_reference\" : \"agentkernel-demo\"", "\"created_at\" : \"2026-11-23T13:57:53.323Z\"",
                "\"size\" : 2127706", "\"schema_version\" : 1");
        assertThat(json).doesNotContain("manifest_digest", "source", "platform");
        assertThat(ImageRecordTranslator.fromBytes(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(demo);
    }

    @Test
    void pulledRecordsKeepTheirSource() throws Exception {
        ImageRecord alpine = ImageStoreTestRecords.pulled("alpine:3.19");
        String json = new String(ImageRecordTranslator.toBytes(alpine), StandardCharsets.UTF_8);
        assertThat(json).contains("\"origin\" : \"pulled\"", "\"manifest_digest\" : \"sha256:",
                "\"platform\" : \"linux/amd64\"").doesNotContain("engine");
        assertThat(ImageRecordTranslator.fromBytes(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(alpine);
    }

    @Test
    void badContentSaysWhatIsWrong() {
        assertThatThrownBy(() -> ImageRecordTranslator.fromBytes("{\"name\":\"x\",\"origin\":\"built\"}".getBytes()))
                .hasMessageContaining("missing field 'engine'");
        assertThatThrownBy(() -> ImageRecordTranslator.fromBytes("[1,2]".getBytes()))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ImageRecordTranslator.fromBytes("".getBytes()))
                .isInstanceOf(ImageRecordTranslator.MalformedRecordException.class);
        assertThatThrownBy(() -> ImageRecordTranslator.fromBytes(
                "{\"name\":\"x\",\"origin\":\"stolen\"}".getBytes()))
                .isInstanceOf(ImageRecordTranslator.MalformedRecordException.class);
    }
}
