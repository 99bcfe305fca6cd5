package dev.agentkernel.agent;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Instant;

/**
 * QEMU's chardev Unix socket behind the virtio-serial port named {@code agent}. Bytes sent before the agent
 * opens its end wait in QEMU, so a request may be sent as soon as the socket accepts.
 */
public final class VirtioSerialTransport implements AgentTransport {
    private final Path socket;

    public VirtioSerialTransport(Path socket) {
        this.socket = socket;
    }

    @Override
    public AgentChannel connect(Instant deadline) throws IOException {
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                return new SocketAgentChannel(channel);
            } catch (IOException e) {
                channel.close();
                last = e;
                Sleep.briefly();
            }
        }
        SocketTimeoutException timeout = new SocketTimeoutException("cannot connect to " + socket
                + (last != null ? ": " + last.getMessage() : ""));
        timeout.initCause(last);
        throw timeout;
    }
}
