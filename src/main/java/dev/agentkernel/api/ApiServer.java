package dev.agentkernel.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxService;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code agentkernel serve}: agentkernel 0.18's HTTP API on Jetty, over the same sandbox service and data
 * directory as the CLI. The server owns no sandbox: stopping it leaves every sandbox as it is, except one-shot
 * {@code /run} sandboxes, which it removes.
 */
public final class ApiServer implements AutoCloseable {
    /** agentkernel's default port. */
    public static final int DEFAULT_PORT = 18888;
    /** The image of {@code /run} and of sandboxes created without one, as agentkernel has it. */
    public static final String DEFAULT_IMAGE = "alpine:3.20";
    /** A connection with no bytes moving for this long is closed (streams send a heartbeat every second). */
    private static final long IDLE_TIMEOUT_MS = 30 * 60 * 1000L;

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService heartbeats;
    private final RequestLog log;

    private ApiServer(Server server, ServerConnector connector, ScheduledExecutorService heartbeats, RequestLog log) {
        this.server = server;
        this.connector = connector;
        this.heartbeats = heartbeats;
        this.log = log;
    }

    /**
     * Binds {@code host:port} (port 0: a free one) and starts serving. Without keys only a loopback address may
     * be bound: anyone who reaches the port could run commands.
     */
    public static ApiServer start(SandboxService service, String host, int port, ApiKeys keys, String defaultImage,
                                  PrintStream logStream) {
        if (port < 0 || port > 65535) {
            throw new UserInputException("--port must be from 0 to 65535, not " + port);
        }
        if (!keys.required() && !isLoopback(host)) {
            throw new UserInputException("refusing to listen on " + host + " without an API key: anyone who reaches"
                    + " it could run commands; give --api-key, --api-key-file or AGENTKERNEL_API_KEY, or listen on"
                    + " 127.0.0.1");
        }
        RequestLog log = new RequestLog(logStream);
        ObjectMapper json = new ObjectMapper();
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "api-heartbeat");
            t.setDaemon(true);
            return t;
        });
        List<Route> routes = new ArrayList<>();
        routes.addAll(new RunRoutes(service, defaultImage, log, heartbeats).routes());
        routes.addAll(UnimplementedRoutes.routes());
        routes.addAll(new DetachedRoutes(service).routes());
        routes.addAll(new FileRoutes(service).routes());
        routes.addAll(new SandboxRoutes(service, defaultImage).routes());
        routes.addAll(new SnapshotRoutes(service).routes());

        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("api");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Paths are split and decoded by RequestPath: empty segments (files//tmp/x) and %2F are the client's to send.
        http.setUriCompliance(UriCompliance.DEFAULT.with("agentkernel",
                UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setHandler(new ApiHandler(routes, keys, json, log));
        server.setStopTimeout(5000);
        try {
            server.start();
        } catch (Exception e) {
            heartbeats.shutdownNow();
            try {
                server.stop();
            } catch (Exception ignored) {
                // it did not start
            }
            throw new UserInputException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ApiServer api = new ApiServer(server, connector, heartbeats, log);
        log.note("agentkernel API listening on http://" + hostForUrl(host) + ":" + api.port()
                + (keys.required() ? " (" + keys.count() + " API key(s))" : " (no API key: loopback only)"));
        return api;
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new UserInputException("unknown host to listen on: " + host);
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.note("stopping the server: " + e);
        } finally {
            heartbeats.shutdownNow();
        }
    }
}
