package dev.agentkernel.build.dockerfile;

import dev.agentkernel.image.Platform;

/**
 * Looks up the config of a base image that a stage is built {@code FROM} (never {@code scratch}, never a stage):
 * its environment, working directory, user and ONBUILD triggers are part of the stage's evaluation. The builder
 * resolves it from the store or a registry; a failure should be a user-facing exception saying which image.
 */
@FunctionalInterface
public interface BaseImageResolver {
    ImageSettings resolve(String reference, Platform platform);
}
