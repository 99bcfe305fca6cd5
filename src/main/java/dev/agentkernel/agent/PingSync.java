package dev.agentkernel.agent;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * Puts a fresh connection to an agent port in step: pings with a fresh id and skips whatever a previous client
 * left unanswered on the port (a client killed mid-command leaves that command's answer behind).
 */
public final class PingSync {
    private static final int MAX_SKIPPED = 64;

    private PingSync() {
    }

    /** True once the ping's own answer arrived; false when the port's guest side stays busy for {@code wait}. */
    public static boolean inStep(AgentChannel channel, Duration wait) throws IOException {
        String id = "sync-" + Long.toHexString(new SecureRandom().nextLong());
        channel.send(Wire.encode(Wire.object().put("id", id).put("type", "ping")));
        Instant deadline = Instant.now().plus(wait);
        for (int frames = 0; frames < MAX_SKIPPED; frames++) {
            try {
                if (id.equals(AgentJson.decode(channel.receive(deadline)).id())) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (RuntimeException e) {
                // an unreadable leftover frame: skip it
            }
        }
        return false;
    }
}
