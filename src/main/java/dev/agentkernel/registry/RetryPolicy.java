package dev.agentkernel.registry;

import java.time.Duration;

/**
 * How often and how patiently to retry a request that failed for a reason that may pass: a connection error,
 * 429 Too Many Requests, or a 5xx answer. The wait doubles from {@code initialBackoff} up to {@code maxBackoff};
 * a {@code Retry-After} from the server is honoured up to {@code maxBackoff}.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait before attempt {@code failures + 1}, given how many attempts failed so far (1 or more). */
    public Duration backoff(int failures) {
        long millis = initialBackoff.toMillis() << Math.min(failures - 1, 16);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** A server's {@code Retry-After} in seconds, bounded by {@link #maxBackoff}; else the computed backoff. */
    public Duration backoff(int failures, String retryAfter) {
        if (retryAfter != null) {
            try {
                long seconds = Long.parseLong(retryAfter.strip());
                if (seconds >= 0) {
                    return Duration.ofSeconds(seconds).compareTo(maxBackoff) > 0 ? maxBackoff : Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException ignored) {
                // An HTTP date: fall back to our own schedule.
            }
        }
        return backoff(failures);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry", e);
        }
    }

    static boolean retryableStatus(int status) {
        return status == 429 || status >= 500;
    }
}
