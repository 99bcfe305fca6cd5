package dev.agentkernel.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.image.ImageRunConfig;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.process.ProcessIdentity;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sandboxes/<name>/sandbox.json}: what a sandbox is made of and what its owner asked of it. Its status
 * is never stored: it is derived from the monitor's identity and {@link #desired}, each time it is asked.
 *
 * @param image        the source as the user gave it ({@code my-tools}, {@code docker://alpine:3.20}, ...)
 * @param imageDigest  the image's manifest digest
 * @param rootfs       the cached root file system the disk's copy-on-write layer reads (never written)
 * @param rootfsKey    its cache key, which pins it against prune and removal
 * @param env          the {@code -e} variables given at creation, over the image's {@code Env}
 * @param workdir      the {@code -w} given at creation, over the image's {@code WorkingDir} (null: the image's)
 * @param expiresAt    when {@code gc} may remove it (RFC 3339; null: never)
 * @param desired      {@code running}, {@code paused} or {@code stopped}: what the last start, pause, resume or
 *                     stop asked for
 * @param owner        for a one-shot {@code run} sandbox: the CLI process that removes it when done; a sandbox
 *                     whose owner is gone is removed by the next command that looks
 * @param description  free text its creator gave it (the HTTP API's {@code description}); null: none
 * @param network      its network (mode, allowlist, published ports with their chosen host ports, resolvers); a
 *                     record written before networking existed has none, and its sandbox keeps having none
 * @param scratchDiskBytes the size of its second drive, an empty ext4 scratch disk made for it (see
 *                     {@link ScratchDisk}); null: it has none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxRecord(
        @JsonProperty("name") String name,
        @JsonProperty("uuid") String uuid,
        @JsonProperty("image") String image,
        @JsonProperty("imageDigest") String imageDigest,
        @JsonProperty("rootfs") String rootfs,
        @JsonProperty("rootfsKey") String rootfsKey,
        @JsonProperty("config") ImageRunConfig config,
        @JsonProperty("backend") String backend,
        @JsonProperty("kernel") String kernel,
        @JsonProperty("accelerator") String accelerator,
        @JsonProperty("memoryMb") int memoryMb,
        @JsonProperty("cpus") int cpus,
        @JsonProperty("env") Map<String, String> env,
        @JsonProperty("workdir") String workdir,
        @JsonProperty("labels") Map<String, String> labels,
        @JsonProperty("createdAt") String createdAt,
        @JsonProperty("expiresAt") String expiresAt,
        @JsonProperty("desired") String desired,
        @JsonProperty("owner") ProcessIdentity owner,
        @JsonProperty("description") String description,
        @JsonProperty("network") NetworkOptions network,
        @JsonProperty("scratchDiskBytes") Long scratchDiskBytes) {

    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    /** Its monitor runs with the guest's CPUs stopped ({@code pause}). */
    public static final String PAUSED = "paused";

    public SandboxRecord {
        config = config == null ? ImageRunConfig.NONE : config;
        env = env == null ? Map.of() : new TreeMap<>(env);
        labels = labels == null ? Map.of() : new TreeMap<>(labels);
        desired = desired == null ? STOPPED : desired;
        network = network == null ? NetworkOptions.none() : network;
        if (scratchDiskBytes != null) {
            ScratchDisk.checkSize(scratchDiskBytes);
        }
    }

    /** A record without a scratch disk. */
    public SandboxRecord(String name, String uuid, String image, String imageDigest, String rootfs, String rootfsKey,
                         ImageRunConfig config, String backend, String kernel, String accelerator, int memoryMb,
                         int cpus, Map<String, String> env, String workdir, Map<String, String> labels,
                         String createdAt, String expiresAt, String desired, ProcessIdentity owner, String description,
                         NetworkOptions network) {
        this(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel, accelerator, memoryMb, cpus,
                env, workdir, labels, createdAt, expiresAt, desired, owner, description, network, null);
    }

    /** A record without a description. */
    public SandboxRecord(String name, String uuid, String image, String imageDigest, String rootfs, String rootfsKey,
                         ImageRunConfig config, String backend, String kernel, String accelerator, int memoryMb,
                         int cpus, Map<String, String> env, String workdir, Map<String, String> labels,
                         String createdAt, String expiresAt, String desired, ProcessIdentity owner) {
        this(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel, accelerator, memoryMb, cpus,
                env, workdir, labels, createdAt, expiresAt, desired, owner, null, NetworkOptions.none());
    }

    public SandboxRecord withDesired(String state) {
        return new SandboxRecord(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, labels, createdAt, expiresAt, state, owner, description, network, scratchDiskBytes);
    }

    public SandboxRecord withExpiresAt(String when) {
        return new SandboxRecord(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, labels, createdAt, when, desired, owner, description, network, scratchDiskBytes);
    }

    /** The record with what the converted image says: its digest, the cached rootfs and how it runs. */
    public SandboxRecord withImage(dev.agentkernel.rootfs.RootfsResult rootfs) {
        return new SandboxRecord(name, uuid, image, rootfs.imageDigest().toString(), rootfs.path().toString(),
                rootfs.cacheKey(), rootfs.runConfig(), backend, kernel, accelerator, memoryMb, cpus, env, workdir,
                labels, createdAt, expiresAt, desired, owner, description, network, scratchDiskBytes);
    }

    /** The record of a sandbox made from a rootfs file rather than an image: no digest, no pin, no run config. */
    public SandboxRecord withRootfsFile(java.nio.file.Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new dev.agentkernel.errors.UserInputException("root file system " + file + " does not exist");
        }
        return new SandboxRecord(name, uuid, "rootfs:" + file.toAbsolutePath(), null, file.toAbsolutePath().toString(),
                null, ImageRunConfig.NONE, backend, kernel, accelerator, memoryMb, cpus, env, workdir, labels,
                createdAt, expiresAt, desired, owner, description, network, scratchDiskBytes);
    }

    /** For checking the monitor and kernel before there is a rootfs (the check never opens it). */
    SandboxRecord withRootfsForCheck() {
        return rootfs != null ? this : new SandboxRecord(name, uuid, image, imageDigest, "/", rootfsKey, config,
                backend, kernel, accelerator, memoryMb, cpus, env, workdir, labels, createdAt, expiresAt, desired, owner, description, network);
    }

    /** The record with other labels and description (null keeps each as it is). */
    public SandboxRecord withAnnotations(Map<String, String> newLabels, String newDescription) {
        return new SandboxRecord(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, newLabels == null ? labels : newLabels, createdAt, expiresAt,
                desired, owner, newDescription == null ? description : newDescription, network, scratchDiskBytes);
    }

    /** The record with this network (its published ports' host ports chosen). */
    public SandboxRecord withNetwork(NetworkOptions newNetwork) {
        return new SandboxRecord(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, labels, createdAt, expiresAt, desired, owner, description,
                newNetwork, scratchDiskBytes);
    }

    /**
     * A new sandbox made from this one's saved state (fork, snapshot restore): its own name, uuid and creation
     * time, running, without expiry or owner, the rest (image, rootfs, size, environment, network) as it was.
     */
    public SandboxRecord copyAs(String newName, String newUuid, String now) {
        return new SandboxRecord(newName, newUuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, labels, now, null, RUNNING, null, description, network, scratchDiskBytes);
    }

    public SandboxRecord withOwner(ProcessIdentity newOwner) {
        return new SandboxRecord(name, uuid, image, imageDigest, rootfs, rootfsKey, config, backend, kernel,
                accelerator, memoryMb, cpus, env, workdir, labels, createdAt, expiresAt, desired, newOwner, description, network, scratchDiskBytes);
    }
}
