package dev.agentkernel.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code snapshot.json}, written last (after the state and the disk are complete and forced to disk): what the
 * snapshot was made from, checked before every use, and the size of its state file, so a truncated one is
 * seen before QEMU reads it.
 *
 * @param kind        {@code boot} (the cache of booted images) or {@code named} ({@code snapshot take})
 * @param name        a named snapshot's name (null for boot snapshots)
 * @param stateBytes  the size of {@code state.bin}
 * @param qemuVersion the first line of {@code qemu --version} when it was made (for messages)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotHeader(@JsonProperty("kind") String kind,
                             @JsonProperty("name") String name,
                             @JsonProperty("fingerprint") MachineFingerprint fingerprint,
                             @JsonProperty("stateBytes") long stateBytes,
                             @JsonProperty("qemuVersion") String qemuVersion,
                             @JsonProperty("source") String source,
                             @JsonProperty("createdAt") String createdAt) {
    public static final String BOOT = "boot";
    public static final String NAMED = "named";
}
