package dev.agentkernel.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.errors.UserInputException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code pools/<id>/pool.json}: a warm pool, the sandboxes of one image and machine kept started and waiting so
 * that a {@code create} or {@code run} asking for exactly that takes one instead of restoring or booting.
 *
 * @param image   the source as given to {@code pool set} ({@code python:3.12-alpine}, {@code my-tools}, ...)
 * @param size    how many sandboxes the pool keeps ready
 * @param backend, kernel, accelerator as {@code create} takes them (null: the defaults)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolDefinition(@JsonProperty("image") String image,
                             @JsonProperty("memoryMb") int memoryMb,
                             @JsonProperty("cpus") int cpus,
                             @JsonProperty("backend") String backend,
                             @JsonProperty("kernel") String kernel,
                             @JsonProperty("accelerator") String accelerator,
                             @JsonProperty("size") int size,
                             @JsonProperty("createdAt") String createdAt) {
    /** Each pooled sandbox holds its guest's memory on the host: a bound on what one command can set aside. */
    public static final int MAX_SIZE = 16;

    public PoolDefinition {
        if (image == null || image.isBlank()) {
            throw new UserInputException("a pool needs an image");
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new UserInputException("a pool keeps 0 to " + MAX_SIZE + " sandboxes, not " + size);
        }
    }

    /** The pool's identity: its image and machine (not its size), so {@code pool set} again resizes it. */
    public String id() {
        String key = String.join("\0", image, Integer.toString(memoryMb), Integer.toString(cpus), String.valueOf(backend),
                String.valueOf(kernel), String.valueOf(accelerator));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public PoolDefinition withSize(int newSize) {
        return new PoolDefinition(image, memoryMb, cpus, backend, kernel, accelerator, newSize, createdAt);
    }
}
