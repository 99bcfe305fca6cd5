package dev.agentkernel.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON of snapshot headers: strict enough to reject a damaged file, bounded in size. */
final class SnapshotJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final long MAX_BYTES = 1 << 20;

    private SnapshotJson() {
    }

    static String canonical(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(Path file, Object value) {
        AtomicFiles.write(file, canonical(value).getBytes(StandardCharsets.UTF_8));
    }

    /** The value, or a StoreException saying what is wrong with the file. */
    static <T> T read(Path file, Class<T> type) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new StoreException(file + " is over " + MAX_BYTES + " bytes");
            }
            return MAPPER.readValue(Files.readAllBytes(file), type);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
