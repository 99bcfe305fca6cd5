package dev.agentkernel.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to talk to registries.
 *
 * @param credentials        explicit credentials ({@code --creds}); when empty, {@code dockerConfig} is asked
 * @param dockerConfig       where stored credentials are looked up
 * @param insecure           use plain HTTP even for a registry that is not on this machine ({@code --insecure});
 *                           registries on localhost / 127.0.0.1 / ::1 always use plain HTTP
 * @param retry              retries of connection errors, 429 and 5xx
 * @param parallelDownloads  how many blobs download at once
 * @param headersTimeout     how long to wait for a response's headers
 * @param stallTimeout       how long a blob body may send nothing before the download is cut and resumed
 */
public record RegistryOptions(Optional<Credentials> credentials, DockerConfig dockerConfig, boolean insecure,
                              RetryPolicy retry, int parallelDownloads, Duration headersTimeout, Duration stallTimeout,
                              Clock clock) {
    public RegistryOptions {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(dockerConfig, "dockerConfig");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(headersTimeout, "headersTimeout");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(clock, "clock");
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("parallelDownloads must be at least 1");
        }
    }

    /** Credentials from the environment's Docker config, HTTPS except on this machine, 3 downloads at once. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(Optional.empty(), DockerConfig.fromEnvironment(), false, RetryPolicy.DEFAULT, 3,
                Duration.ofSeconds(60), Duration.ofSeconds(60), Clock.systemUTC());
    }

    public RegistryOptions withCredentials(Optional<Credentials> c) {
        return new RegistryOptions(c, dockerConfig, insecure, retry, parallelDownloads, headersTimeout, stallTimeout, clock);
    }

    public RegistryOptions withDockerConfig(DockerConfig c) {
        return new RegistryOptions(credentials, c, insecure, retry, parallelDownloads, headersTimeout, stallTimeout, clock);
    }

    public RegistryOptions withInsecure(boolean i) {
        return new RegistryOptions(credentials, dockerConfig, i, retry, parallelDownloads, headersTimeout, stallTimeout, clock);
    }

    public RegistryOptions withRetry(RetryPolicy r) {
        return new RegistryOptions(credentials, dockerConfig, insecure, r, parallelDownloads, headersTimeout, stallTimeout, clock);
    }

    public RegistryOptions withParallelDownloads(int n) {
        return new RegistryOptions(credentials, dockerConfig, insecure, retry, n, headersTimeout, stallTimeout, clock);
    }

    public RegistryOptions withClock(Clock c) {
        return new RegistryOptions(credentials, dockerConfig, insecure, retry, parallelDownloads, headersTimeout, stallTimeout, c);
    }

    public RegistryOptions withStallTimeout(Duration d) {
        return new RegistryOptions(credentials, dockerConfig, insecure, retry, parallelDownloads, headersTimeout, d, clock);
    }
}
