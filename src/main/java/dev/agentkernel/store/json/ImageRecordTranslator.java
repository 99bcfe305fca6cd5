package dev.agentkernel.store.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.ImageOrigin;
import dev.agentkernel.store.ImageRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/** Converts between {@link ImageRecordJson} (bytes on disk) and the domain {@link ImageRecord}. */
public final class ImageRecordTranslator {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Files written by a newer agentkernel may carry fields this one does not know; they are kept out.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ImageRecordTranslator() {
    }

    /** Thrown when bytes are not a valid image record; the message says what is wrong. */
    public static final class MalformedRecordException extends Exception {
        public MalformedRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static byte[] toBytes(ImageRecord record) {
        try {
            return MAPPER.writeValueAsBytes(toJson(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize image record " + record.name(), e);
        }
    }

    /**
     * Pretty JSON text of one record, or of a list of them, for {@code --json} output: the file's shape plus
     * the field names of the seed (the Python agentkernel) — {@code image_id}, {@code size_bytes},
     * {@code built_at}, and {@code dockerfile}, {@code context}, {@code labels} always present (null where an
     * image has none) — so scripts written against the seed's metadata read ours.
     */
    public static String toJsonText(Object recordOrList) {
        Object shape = recordOrList instanceof ImageRecord r ? output(r)
                : recordOrList instanceof List<?> list ? list.stream()
                .map(o -> output((ImageRecord) o)).toList()
                : recordOrList;
        try {
            return MAPPER.writeValueAsString(shape);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + recordOrList, e);
        }
    }

    private static java.util.Map<String, Object> output(ImageRecord r) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> out = MAPPER.convertValue(toJson(r), java.util.LinkedHashMap.class);
        out.putIfAbsent("dockerfile", null);
        out.putIfAbsent("context", null);
        out.putIfAbsent("labels", java.util.Map.of());
        out.put("image_id", r.id().toString());
        out.put("size_bytes", r.size());
        out.put("built_at", r.createdAt().toString());
        return out;
    }

    public static ImageRecord fromBytes(byte[] bytes) throws MalformedRecordException {
        ImageRecordJson json;
        try {
            json = MAPPER.readValue(bytes, ImageRecordJson.class);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new MalformedRecordException("not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (json == null) {
            throw new MalformedRecordException("empty", null);
        }
        return toDomain(json);
    }

    public static ImageRecordJson toJson(ImageRecord r) {
        ImageRecord.BuildInfo b = r.build();
        ImageRecord.SourceInfo s = r.source();
        return new ImageRecordJson(
                ImageRecordJson.SCHEMA_VERSION,
                r.name(),
                r.id().toString(),
                r.size(),
                r.createdAt().toString(),
                r.origin().name().toLowerCase(Locale.ROOT),
                b == null ? null : b.engine(),
                b == null ? null : b.engineReference(),
                b == null ? null : b.dockerfile().toString(),
                b == null ? null : b.context().toString(),
                s == null ? null : s.reference(),
                s == null || s.manifestDigest() == null ? null : s.manifestDigest().toString(),
                s == null ? null : s.platform(),
                r.labels());
    }

    public static ImageRecord toDomain(ImageRecordJson j) throws MalformedRecordException {
        try {
            if (j.schemaVersion() != null && j.schemaVersion() > ImageRecordJson.SCHEMA_VERSION) {
                throw new IllegalArgumentException("written by a newer agentkernel (schema version "
                        + j.schemaVersion() + ")");
            }
            ImageOrigin origin = ImageOrigin.valueOf(required(j.origin(), "origin").toUpperCase(Locale.ROOT));
            ImageRecord.BuildInfo build = origin != ImageOrigin.BUILT ? null : new ImageRecord.BuildInfo(
                    required(j.engine(), "engine"),
                    required(j.engineReference(), "engine_reference"),
                    Path.of(required(j.dockerfile(), "dockerfile")),
                    Path.of(required(j.context(), "context")));
            ImageRecord.SourceInfo source = origin == ImageOrigin.BUILT && j.source() == null ? null
                    : new ImageRecord.SourceInfo(
                    required(j.source(), "source"),
                    j.manifestDigest() == null ? null : Digest.parse(j.manifestDigest()),
                    j.platform());
            if (required(j.name(), "name").isEmpty()) {
                throw new IllegalArgumentException("empty field 'name'");
            }
            return new ImageRecord(
                    j.name(),
                    Digest.parse(required(j.id(), "id")),
                    required(j.size(), "size"),
                    Instant.parse(required(j.createdAt(), "created_at")),
                    origin,
                    j.labels(),
                    build,
                    source);
        } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            throw new MalformedRecordException(e.getMessage(), e);
        }
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unreadable";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
