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
 * @param qemuVersion the first line of {@code qemu --version} (or {@code firecracker --version}) when it was made
 *                    (for messages)
 * @param monitor     {@value #FIRECRACKER} for a Firecracker snapshot ({@code state.bin} its device state,
 *                    {@code memory.bin} its guest memory, {@code disk.raw} its disk); absent for QEMU's
 * @param memoryBytes the size of a Firecracker snapshot's {@code memory.bin} (0 for QEMU's)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotHeader(@JsonProperty("kind") String kind,
                             @JsonProperty("name") String name,
                             @JsonProperty("fingerprint") MachineFingerprint fingerprint,
                             @JsonProperty("stateBytes") long stateBytes,
                             @JsonProperty("qemuVersion") String qemuVersion,
                             @JsonProperty("source") String source,
                             @JsonProperty("createdAt") String createdAt,
                             @JsonProperty("monitor") String monitor,
                             @JsonProperty("memoryBytes") long memoryBytes) {
    public static final String BOOT = "boot";
    public static final String NAMED = "named";
    public static final String FIRECRACKER = "firecracker";

    /** A QEMU snapshot's header. */
    public SnapshotHeader(String kind, String name, MachineFingerprint fingerprint, long stateBytes, String qemuVersion,
                          String source, String createdAt) {
        this(kind, name, fingerprint, stateBytes, qemuVersion, source, createdAt, null, 0);
    }

    public boolean firecracker() {
        return FIRECRACKER.equals(monitor);
    }
}
