package dev.agentkernel.sandbox;

import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.process.ProcessIdentity;

import java.time.Duration;
import java.util.Map;

/**
 * What {@code create} is asked for.
 *
 * @param image    any source {@code run --image} takes (null when {@code rootfsFile} is given)
 * @param rootfsFile a root file system made by {@code agentkernel rootfs} to use instead of an image (read, never written)
 * @param ttl      how long until {@code gc} may remove it (null or zero: never)
 * @param start    false for {@code --no-start}
 * @param owner    the process that removes it when done (a one-shot {@code run}); null for a persistent one
 * @param description free text kept in its record (null: none)
 * @param network  its network (null: the default, outbound NAT)
 * @param scratchDiskBytes the size of an empty ext4 scratch disk to attach as a second drive (0: none)
 */
public record CreateRequest(SandboxName name, String image, int memoryMb, int cpus, Map<String, String> env,
                            String workdir, Map<String, String> labels, Duration ttl, boolean start,
                            String backend, String kernel, String accelerator, ProcessIdentity owner,
                            java.nio.file.Path rootfsFile, String description, NetworkOptions network,
                            long scratchDiskBytes) {
    public CreateRequest {
        if ((image == null) == (rootfsFile == null)) {
            throw new IllegalArgumentException("a sandbox is made from an image or from a rootfs file");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        network = network == null ? NetworkOptions.defaults() : network;
        if (scratchDiskBytes != 0) {
            ScratchDisk.checkSize(scratchDiskBytes);
        }
    }

    /** A request without a scratch disk. */
    public CreateRequest(SandboxName name, String image, int memoryMb, int cpus, Map<String, String> env,
                         String workdir, Map<String, String> labels, Duration ttl, boolean start, String backend,
                         String kernel, String accelerator, ProcessIdentity owner, java.nio.file.Path rootfsFile,
                         String description, NetworkOptions network) {
        this(name, image, memoryMb, cpus, env, workdir, labels, ttl, start, backend, kernel, accelerator, owner,
                rootfsFile, description, network, 0);
    }

    /** A request with the default network. */
    public CreateRequest(SandboxName name, String image, int memoryMb, int cpus, Map<String, String> env,
                         String workdir, Map<String, String> labels, Duration ttl, boolean start, String backend,
                         String kernel, String accelerator, ProcessIdentity owner, java.nio.file.Path rootfsFile,
                         String description) {
        this(name, image, memoryMb, cpus, env, workdir, labels, ttl, start, backend, kernel, accelerator, owner,
                rootfsFile, description, null);
    }

    /** The same request with this network. */
    public CreateRequest withNetwork(NetworkOptions options) {
        return new CreateRequest(name, image, memoryMb, cpus, env, workdir, labels, ttl, start, backend, kernel,
                accelerator, owner, rootfsFile, description, options, scratchDiskBytes);
    }

    /** The same request with an empty scratch disk of {@code bytes} as a second drive. */
    public CreateRequest withScratchDisk(long bytes) {
        return new CreateRequest(name, image, memoryMb, cpus, env, workdir, labels, ttl, start, backend, kernel,
                accelerator, owner, rootfsFile, description, network, bytes);
    }

    /** A request without a description. */
    public CreateRequest(SandboxName name, String image, int memoryMb, int cpus, Map<String, String> env,
                         String workdir, Map<String, String> labels, Duration ttl, boolean start, String backend,
                         String kernel, String accelerator, ProcessIdentity owner, java.nio.file.Path rootfsFile) {
        this(name, image, memoryMb, cpus, env, workdir, labels, ttl, start, backend, kernel, accelerator, owner,
                rootfsFile, null, null);
    }
}
