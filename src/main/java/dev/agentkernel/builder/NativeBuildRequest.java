package dev.agentkernel.builder;

import dev.agentkernel.build.BuildSpec;
import dev.agentkernel.image.Platform;

/**
 * A native build: the validated {@code build} options, the platform to build for, the network RUN steps get
 * ({@code null}: the sandboxes' default; passed to the build VM once sandboxes have networking), and the time
 * the builder writes where it sets one (image and history {@code created}, directories it makes):
 * {@code SOURCE_DATE_EPOCH} when set, else the epoch, so that builds are reproducible.
 */
public record NativeBuildRequest(BuildSpec spec, Platform platform, String network, long createdEpochSeconds) {
    public static NativeBuildRequest of(BuildSpec spec, java.util.Map<String, String> env) {
        long epoch = 0;
        String sde = env.get("SOURCE_DATE_EPOCH");
        if (sde != null && sde.matches("[0-9]{1,12}")) {
            epoch = Long.parseLong(sde);
        }
        return new NativeBuildRequest(spec, Platform.host(), null, epoch);
    }

    public NativeBuildRequest withNetwork(String mode) {
        return new NativeBuildRequest(spec, platform, mode, createdEpochSeconds);
    }
}
