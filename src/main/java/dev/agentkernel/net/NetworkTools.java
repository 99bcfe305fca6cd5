package dev.agentkernel.net;

import dev.agentkernel.agent.PackagedAgent;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.store.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * The host-side programs the network modes use, built from {@code guest/} and carried in the jar, copied into
 * the sandbox directory (so a sandbox keeps working with the copy it was started with, and {@code rm} takes
 * them away): {@code netproxy} for the allowlist, {@code libagentkernel-netpolicy.so} for the default mode.
 */
final class NetworkTools {
    static final String PROXY_RESOURCE = "/dev/agentkernel/guest/netproxy";
    static final String POLICY_RESOURCE = "/dev/agentkernel/guest/libagentkernel-netpolicy.so";

    private NetworkTools() {
    }

    static Path proxy(Path sandboxDir) {
        return install(sandboxDir, PROXY_RESOURCE, "netproxy",
                "this build has no netproxy for the network allowlist: install musl-tools (or gcc) and rebuild");
    }

    static Path policyLibrary(Path sandboxDir) {
        return install(sandboxDir, POLICY_RESOURCE, "libagentkernel-netpolicy.so",
                "this build has no network policy library, without which the default network would let the guest"
                        + " reach the host's loopback: install gcc and rebuild, or pass --no-network or --allow-host NAME");
    }

    /** Writes the resource to {@code dir/name} (atomically, executable) unless the same bytes are there. */
    private static Path install(Path dir, String resource, String name, String missing) {
        byte[] bytes = PackagedAgent.readResource(resource, missing);
        Path target = dir.resolve(name);
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return target;
            }
            AtomicFiles.write(target, bytes);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            return target;
        } catch (IOException e) {
            throw new VmException("cannot install " + name + " in " + dir + ": " + e.getMessage(), e);
        }
    }
}
