package dev.agentkernel.sandbox;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then version, 12 random bits, variant and 62 random bits, so
 * a sandbox's uuid sorts by creation time, as agentkernel's do.
 */
public final class SandboxUuid {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxUuid() {
    }

    public static UUID next() {
        return at(System.currentTimeMillis(), RANDOM.nextLong(), RANDOM.nextLong());
    }

    /** The UUIDv7 of {@code millis} with the given random bits (only their low 12 and 62 bits are used). */
    static UUID at(long millis, long randA, long randB) {
        long high = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (randA & 0x0FFFL);
        long low = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
