package dev.agentkernel.agent;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The guest agent built from {@code guest/} by the Maven build and carried in the jar as the classpath
 * resource {@value #RESOURCE}. A jar built on a machine without a C compiler has none: {@link #bytes()} then
 * says how to get one.
 */
public final class PackagedAgent {
    public static final String RESOURCE = "/dev/agentkernel/guest/agent";

    private static volatile byte[] cached;

    private PackagedAgent() {
    }

    /** Whether this build carries a guest agent. */
    public static boolean available() {
        return PackagedAgent.class.getResource(RESOURCE) != null;
    }

    /** The static agent binary (a fresh copy). */
    public static byte[] bytes() {
        byte[] bytes = cached;
        if (bytes == null) {
            bytes = readResource(RESOURCE,
                    "this build has no guest agent: install musl-tools (or gcc) and rebuild, or pass --agent PATH");
            cached = bytes;
        }
        return bytes.clone();
    }

    /** The sha256 digest of {@link #bytes()}, for cache keys. */
    public static Digest digest() {
        return Digest.sha256(bytes());
    }

    /** A guest program packed into the jar by {@code guest/build.sh}, or a {@link ToolException} with the message. */
    public static byte[] readResource(String resource, String missingMessage) {
        try (InputStream in = PackagedAgent.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ToolException(missingMessage);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
        }
    }
}
