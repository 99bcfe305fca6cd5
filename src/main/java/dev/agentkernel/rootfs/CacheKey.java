package dev.agentkernel.rootfs;

import dev.agentkernel.image.Digest;

import java.nio.charset.StandardCharsets;

/**
 * The cache key of a conversion: a digest over everything that determines the output bytes. The image is
 * identified by its manifest digest (never its name), so a rebuilt image under the same name gets a new
 * rootfs. Bump {@link #FORMAT} when the converter's output changes for the same inputs.
 */
final class CacheKey {
    static final int FORMAT = 2;

    private CacheKey() {
    }

    static String of(Digest manifestDigest, AgentBinary agent, RootfsOptions options, long defaultSeconds) {
        String text = "agentkernel-rootfs format=" + FORMAT
                + "\nimage=" + manifestDigest
                + "\nagent=" + (agent == null ? "none" : agent.digest().toString())
                + "\ninit=" + InitScript.VERSION
                + "\nsize=" + options.fixedSizeBytes().map(s -> "fixed:" + s).orElse("auto:free=" + options.freeBytes())
                + "\ntime=" + defaultSeconds
                + "\n";
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8)).hex();
    }
}
