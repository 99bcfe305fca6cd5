package dev.agentkernel.rootfs;

import dev.agentkernel.agent.PackagedAgent;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/** The agent's bytes and digest (the digest is part of the cache key). */
record AgentBinary(byte[] bytes, Digest digest) {
    private static final long MAX_AGENT_BYTES = 256L << 20;

    /** The bytes {@code choice} names, or null for {@link AgentChoice.None}. */
    static AgentBinary resolve(AgentChoice choice) {
        if (choice instanceof AgentChoice.None) {
            return null;
        }
        if (choice instanceof AgentChoice.File file) {
            try {
                if (!Files.isRegularFile(file.path())) {
                    throw new NoSuchFileException(file.path().toString());
                }
                if (Files.size(file.path()) > MAX_AGENT_BYTES) {
                    throw new UserInputException("--agent " + file.path() + " is larger than 256 MiB; is it the right file?");
                }
                byte[] bytes = Files.readAllBytes(file.path());
                return new AgentBinary(bytes, Digest.sha256(bytes));
            } catch (NoSuchFileException e) {
                throw new UserInputException("--agent " + file.path() + ": no such file", e);
            } catch (IOException e) {
                throw new UserInputException("--agent " + file.path() + ": cannot read it: " + e.getMessage(), e);
            }
        }
        byte[] bytes = PackagedAgent.bytes();
        return new AgentBinary(bytes, Digest.sha256(bytes)); // one copy, hashed once (digest() would copy again)
    }
}
