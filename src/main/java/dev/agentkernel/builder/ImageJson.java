package dev.agentkernel.builder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.build.dockerfile.HealthcheckConfig;
import dev.agentkernel.build.dockerfile.ImageSettings;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Platform;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The image config and manifest the builder writes, Docker's config fields ({@code Env}, {@code Cmd}, ...,
 * {@code Healthcheck}, {@code OnBuild}, {@code Shell}) in an OCI config, with a {@code history} entry per step
 * ({@code empty_layer} where none was made) after the base's own. Field order is fixed and no time but the
 * given one is written, so the same build gives the same bytes.
 */
final class ImageJson {
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageJson() {
    }

    /** One history entry. */
    record History(String createdBy, boolean emptyLayer) {
    }

    static JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new ImageException(what + " is not a JSON object");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new ImageException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** What a base image's config gives a stage. */
    static ImageSettings settings(JsonNode image) {
        JsonNode c = image.path("config");
        Optional<HealthcheckConfig> health = Optional.empty();
        if (c.path("Healthcheck").isObject()) {
            JsonNode h = c.path("Healthcheck");
            health = Optional.of(new HealthcheckConfig(strings(h.path("Test")), Duration.ofNanos(h.path("Interval").asLong()),
                    Duration.ofNanos(h.path("Timeout").asLong()), Duration.ofNanos(h.path("StartPeriod").asLong()),
                    Duration.ofNanos(h.path("StartInterval").asLong()), h.path("Retries").asInt()));
        }
        return new ImageSettings(strings(c.path("Env")), strings(c.path("Cmd")), strings(c.path("Entrypoint")),
                c.path("WorkingDir").asText(""), c.path("User").asText(""), labels(c.path("Labels")),
                keys(c.path("ExposedPorts")), keys(c.path("Volumes")), c.path("StopSignal").asText(""), health,
                strings(c.path("OnBuild")), strings(c.path("Shell")), image.path("author").asText(""));
    }

    /**
     * The config of a built image.
     *
     * @param base the base image's config (null for scratch): its history is kept
     */
    static byte[] config(JsonNode base, ImageSettings s, Platform platform, List<Digest> diffIds,
                         List<History> history, Instant created) {
        ObjectNode root = JSON.createObjectNode();
        root.put("created", created.toString());
        if (!s.author().isEmpty()) {
            root.put("author", s.author());
        }
        root.put("architecture", platform.architecture());
        root.put("os", platform.os());
        if (platform.variant() != null && !platform.variant().isEmpty()) {
            root.put("variant", platform.variant());
        }
        ObjectNode c = root.putObject("config");
        if (!s.user().isEmpty()) {
            c.put("User", s.user());
        }
        if (!s.exposedPorts().isEmpty()) {
            ObjectNode ports = c.putObject("ExposedPorts");
            s.exposedPorts().forEach(p -> ports.putObject(p));
        }
        if (!s.env().isEmpty()) {
            strings(c.putArray("Env"), s.env());
        }
        if (!s.entrypoint().isEmpty()) {
            strings(c.putArray("Entrypoint"), s.entrypoint());
        }
        if (!s.cmd().isEmpty()) {
            strings(c.putArray("Cmd"), s.cmd());
        }
        if (!s.volumes().isEmpty()) {
            ObjectNode volumes = c.putObject("Volumes");
            s.volumes().forEach(v -> volumes.putObject(v));
        }
        if (!s.workingDir().isEmpty()) {
            c.put("WorkingDir", s.workingDir());
        }
        if (!s.labels().isEmpty()) {
            ObjectNode labels = c.putObject("Labels");
            s.labels().forEach(labels::put);
        }
        if (!s.stopSignal().isEmpty()) {
            c.put("StopSignal", s.stopSignal());
        }
        s.healthcheck().ifPresent(h -> {
            ObjectNode n = c.putObject("Healthcheck");
            strings(n.putArray("Test"), h.test());
            putNanos(n, "Interval", h.interval());
            putNanos(n, "Timeout", h.timeout());
            putNanos(n, "StartPeriod", h.startPeriod());
            putNanos(n, "StartInterval", h.startInterval());
            if (h.retries() != 0) {
                n.put("Retries", h.retries());
            }
        });
        if (!s.onBuild().isEmpty()) {
            strings(c.putArray("OnBuild"), s.onBuild());
        }
        if (!s.shell().isEmpty()) {
            strings(c.putArray("Shell"), s.shell());
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(d -> ids.add(d.toString()));
        ArrayNode hist = root.putArray("history");
        if (base != null && base.path("history").isArray()) {
            base.path("history").forEach(h -> hist.add(h));
        }
        for (History h : history) {
            ObjectNode n = hist.addObject();
            n.put("created", created.toString());
            n.put("created_by", h.createdBy());
            n.put("comment", "agentkernel native build");
            if (h.emptyLayer()) {
                n.put("empty_layer", true);
            }
        }
        return bytes(root);
    }

    static byte[] manifest(Digest config, long configSize, List<LayerBlob> layers, Map<String, String> annotations) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MANIFEST_TYPE);
        ObjectNode c = root.putObject("config");
        c.put("mediaType", CONFIG_TYPE);
        c.put("digest", config.toString());
        c.put("size", configSize);
        ArrayNode ls = root.putArray("layers");
        for (LayerBlob l : layers) {
            ObjectNode n = ls.addObject();
            n.put("mediaType", l.mediaType());
            n.put("digest", l.digest().toString());
            n.put("size", l.size());
        }
        if (!annotations.isEmpty()) {
            ObjectNode a = root.putObject("annotations");
            annotations.forEach(a::put);
        }
        return bytes(root);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNanos(ObjectNode n, String field, Duration d) {
        if (!d.isZero()) {
            n.put(field, d.toNanos());
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static Set<String> keys(JsonNode object) {
        Set<String> out = new TreeSet<>();
        if (object.isObject()) {
            object.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode labels) {
        Map<String, String> out = new LinkedHashMap<>();
        if (labels.isObject()) {
            labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
