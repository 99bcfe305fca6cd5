package dev.agentkernel.builder;

import dev.agentkernel.build.BuildSpec;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Platform;

import java.util.Map;

/**
 * A native build: the validated {@code build} options, the platform to build for ({@code --platform}, else
 * this machine's: the base is chosen from an index for it), the network RUN steps get ({@code null}: the
 * sandboxes' default), and the time the builder writes where it sets one (image and history {@code created},
 * directories it makes, a downloaded file without Last-Modified): {@code SOURCE_DATE_EPOCH} when set (the
 * build arg of that name first, as BuildKit reads it, then the environment variable), else the epoch, so that
 * builds are reproducible.
 */
public record NativeBuildRequest(BuildSpec spec, Platform platform, String network, long createdEpochSeconds) {
    public static final String SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH";

    public static NativeBuildRequest of(BuildSpec spec, Map<String, String> env) {
        long epoch = 0;
        String fromArg = spec.buildArgs().get(SOURCE_DATE_EPOCH);
        String sde = fromArg != null ? fromArg : env.get(SOURCE_DATE_EPOCH);
        if (sde != null && !sde.isEmpty()) {
            if (!sde.matches("[0-9]{1,12}")) {
                throw new UserInputException(SOURCE_DATE_EPOCH + " (" + (fromArg != null ? "--build-arg"
                        : "environment") + ") must be a number of seconds since 1970, not '" + sde + "'");
            }
            epoch = Long.parseLong(sde);
        }
        return new NativeBuildRequest(spec, spec.platform() == null ? Platform.host() : spec.platform(), null, epoch);
    }

    public NativeBuildRequest withNetwork(String mode) {
        return new NativeBuildRequest(spec, platform, mode, createdEpochSeconds);
    }
}
