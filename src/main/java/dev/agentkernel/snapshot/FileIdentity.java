package dev.agentkernel.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file as a snapshot depends on it: its path, size and modification time. Replacing the QEMU binary, the kernel
 * or a cached rootfs changes at least one of them, and costs no hashing of megabytes on every start.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FileIdentity(@JsonProperty("path") String path, @JsonProperty("size") long size,
                           @JsonProperty("modifiedMillis") long modifiedMillis) {
    /** The identity of {@code file} now; a missing file has size and time -1. */
    public static FileIdentity of(Path file) {
        try {
            Path real = file.toRealPath();
            return new FileIdentity(file.toAbsolutePath().toString(), Files.size(real),
                    Files.getLastModifiedTime(real).toMillis());
        } catch (IOException e) {
            return new FileIdentity(file.toAbsolutePath().toString(), -1, -1);
        }
    }
}
