package dev.agentkernel.store.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;

/**
 * The JSON shape of {@code images/<name>.json}, field for field; {@link ImageRecordTranslator} turns it into the
 * domain {@link dev.agentkernel.store.ImageRecord} and back. Absent fields are left out of the file.
 * {@code images --json} and {@code images inspect --json} print this same shape.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema_version", "name", "id", "size", "created_at", "origin", "engine", "engine_reference",
        "dockerfile", "context", "source", "manifest_digest", "platform", "labels"})
public record ImageRecordJson(
        @JsonProperty("schema_version") Integer schemaVersion,
        @JsonProperty("name") String name,
        @JsonProperty("id") String id,
        @JsonProperty("size") Long size,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("origin") String origin,
        @JsonProperty("engine") String engine,
        @JsonProperty("engine_reference") String engineReference,
        @JsonProperty("dockerfile") String dockerfile,
        @JsonProperty("context") String context,
        @JsonProperty("source") String source,
        @JsonProperty("manifest_digest") String manifestDigest,
        @JsonProperty("platform") String platform,
        @JsonProperty("labels") Map<String, String> labels) {

    /** The version of this shape; a file with a newer one is reported rather than misread. */
    public static final int SCHEMA_VERSION = 1;
}
