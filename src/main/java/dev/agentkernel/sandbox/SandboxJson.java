package dev.agentkernel.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentkernel.errors.StoreException;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and atomically writes the sandbox package's JSON files. */
final class SandboxJson {
    /** Records are small; anything larger is not one of ours. */
    private static final long MAX_BYTES = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SandboxJson() {
    }

    static <T> T read(Path file, Class<T> type) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new StoreException(file + " is larger than " + MAX_BYTES + " bytes: not a sandbox file");
            }
            return MAPPER.readValue(Files.readAllBytes(file), type);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, Object value) {
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new StoreException("cannot encode " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }
}
