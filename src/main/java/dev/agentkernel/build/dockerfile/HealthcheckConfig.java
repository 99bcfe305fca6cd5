package dev.agentkernel.build.dockerfile;

import java.time.Duration;
import java.util.List;

/**
 * A HEALTHCHECK as the image config holds it: {@code test} is {@code ["NONE"]}, {@code ["CMD", args...]} or
 * {@code ["CMD-SHELL", command]}; zero durations and retries mean "the runtime's default".
 */
public record HealthcheckConfig(List<String> test, Duration interval, Duration timeout, Duration startPeriod,
                                Duration startInterval, int retries) {
    public HealthcheckConfig {
        test = List.copyOf(test);
    }

    public static HealthcheckConfig none() {
        return new HealthcheckConfig(List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
}
