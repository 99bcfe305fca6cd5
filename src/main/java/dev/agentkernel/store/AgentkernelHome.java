package dev.agentkernel.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * The data directory: {@code $AGENTKERNEL_HOME}, else {@code $XDG_DATA_HOME/agentkernel}, else
 * {@code ~/.local/share/agentkernel}. Sub-folders are named here so every stage agrees on the layout.
 */
public final class AgentkernelHome {
    private final Path root;

    private AgentkernelHome(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The data directory of this process's environment. */
    public static AgentkernelHome fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperty("user.home"));
    }

    static AgentkernelHome fromEnvironment(Map<String, String> env, String userHome) {
        String explicit = env.get("AGENTKERNEL_HOME");
        if (explicit != null && !explicit.isBlank()) {
            return new AgentkernelHome(Path.of(explicit));
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return new AgentkernelHome(Path.of(xdg, "agentkernel"));
        }
        return new AgentkernelHome(Path.of(userHome, ".local", "share", "agentkernel"));
    }

    /** A data directory at an explicit place (tests, API users). */
    public static AgentkernelHome at(Path root) {
        return new AgentkernelHome(root);
    }

    public Path root() {
        return root;
    }

    /** {@code images/<name>.json}: image metadata. */
    public Path images() {
        return root.resolve("images");
    }

    /** {@code blobs/}: content-addressed blobs, {@code blobs/sha256/<hex>}. */
    public Path blobs() {
        return root.resolve("blobs");
    }

    /** {@code rootfs/}: cached root filesystems, {@code <key>.ext4} and {@code <key>.json}. */
    public Path rootfs() {
        return root.resolve("rootfs");
    }

    /** {@code kernels/}: kernels and generated initramfs. */
    public Path kernels() {
        return root.resolve("kernels");
    }

    /** {@code sandboxes/<name>/}: per-sandbox disk, sockets and console log. */
    public Path sandboxes() {
        return root.resolve("sandboxes");
    }

    /** {@code locks/}: lock files for state shared between processes. */
    public Path locks() {
        return root.resolve("locks");
    }

    /** {@code tmp/}: scratch space on the same file system as the store, so renames into it are atomic. */
    public Path tmp() {
        return root.resolve("tmp");
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
