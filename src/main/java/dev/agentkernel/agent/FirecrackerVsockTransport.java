package dev.agentkernel.agent;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Firecracker's host side of vsock: a Unix socket ({@code uds_path}) where the host writes
 * {@code CONNECT <port>\n} and Firecracker answers {@code OK <host port>\n} once the guest accepted. Until the
 * agent listens, Firecracker closes the connection instead, so connecting is retried.
 */
public final class FirecrackerVsockTransport implements AgentTransport {
    public static final int AGENT_PORT = 52000;
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final Path udsPath;
    private final int port;

    public FirecrackerVsockTransport(Path udsPath, int port) {
        this.udsPath = udsPath;
        this.port = port;
    }

    @Override
    public AgentChannel connect(Instant deadline) throws IOException {
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            SocketAgentChannel framed = null;
            try {
                channel.connect(UnixDomainSocketAddress.of(udsPath));
                framed = new SocketAgentChannel(channel);
                framed.sendRaw(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII));
                Instant handshakeDeadline = Instant.now().plus(HANDSHAKE_TIMEOUT);
                String answer = framed.readLine(deadline.isBefore(handshakeDeadline) ? deadline : handshakeDeadline, 64);
                if (answer.startsWith("OK ")) {
                    return framed;
                }
                last = new IOException("Firecracker refused CONNECT " + port + ": " + answer);
            } catch (EOFException e) {
                last = new IOException("nothing listens on vsock port " + port + " yet", e);
            } catch (SocketTimeoutException e) {
                // the deadline cut an attempt short: the previous attempt's answer says more
                if (last == null) {
                    last = e;
                }
            } catch (IOException e) {
                last = e;
            }
            if (framed != null) {
                framed.close();
            } else {
                channel.close();
            }
            Sleep.briefly();
        }
        SocketTimeoutException timeout = new SocketTimeoutException("cannot connect to vsock port " + port + " through "
                + udsPath + (last != null ? ": " + last.getMessage() : ""));
        timeout.initCause(last);
        throw timeout;
    }
}
