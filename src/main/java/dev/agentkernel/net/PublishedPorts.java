package dev.agentkernel.net;

import dev.agentkernel.errors.UserInputException;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Host ports for {@code -p}: a port asked for must be free before boot (a clear error, not a monitor that
 * fails to start), and port 0 becomes a free port chosen here, shown to the user and kept by the sandbox.
 * Between this check and QEMU's own bind another program could take the port; QEMU then fails to start and
 * says so in its log.
 */
final class PublishedPorts {
    private PublishedPorts() {
    }

    /** {@code ports} with every host port 0 replaced by a free one. */
    static List<PortMapping> choose(List<PortMapping> ports) {
        List<PortMapping> chosen = new ArrayList<>();
        for (PortMapping p : ports) {
            chosen.add(p.hostPort() != 0 ? p : p.withHostPort(bind(p, 0)));
        }
        return chosen;
    }

    /** Fails with the port's name when one of them is taken (or its address is not the host's). */
    static void checkFree(List<PortMapping> ports) {
        for (PortMapping p : ports) {
            bind(p, p.hostPort());
        }
    }

    /** Binds and releases the port; returns the port bound. */
    private static int bind(PortMapping p, int port) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(p.hostIp()), port);
            if (p.protocol() == PortMapping.Protocol.TCP) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true); // as QEMU binds it: a connection in TIME_WAIT does not make it taken
                    s.bind(address);
                    return s.getLocalPort();
                }
            }
            try (DatagramSocket s = new DatagramSocket(null)) {
                s.bind(address);
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new UserInputException("-p " + p.hostIp() + ":" + (port == 0 ? "" : port + ":") + p.guestPort() + "/"
                    + p.protocol().cliName() + ": cannot bind " + p.hostIp() + ":" + port + " on this host ("
                    + e.getMessage() + ")" + (port != 0 ? "; the port is probably taken: choose another, or -p "
                    + p.guestPort() + " for a free one" : ""), e);
        }
    }
}
