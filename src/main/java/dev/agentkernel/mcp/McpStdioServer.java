package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.sandbox.SandboxService;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code agentkernel mcp-server}: the Model Context Protocol over stdin/stdout (newline-delimited JSON-RPC),
 * served by the official MCP Java SDK with agentkernel's sandbox tools. It ends when its client closes stdin.
 * Nothing else may write to stdout: logs go to stderr.
 */
public final class McpStdioServer {
    /** A tool call may boot a VM and run a command: longer than the SDK's default request timeout. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);

    private McpStdioServer() {
    }

    /** Serves until {@code in} ends. */
    public static void serve(SandboxService service, String defaultImage, String version, InputStream in,
                             OutputStream out) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        InputStream watched = new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    ended.countDown();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(buf, off, len);
                } catch (IOException e) {
                    ended.countDown();
                    throw e;
                }
                if (n < 0) {
                    ended.countDown();
                }
                return n;
            }
        };
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, watched, out);
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("agentkernel", version)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .requestTimeout(REQUEST_TIMEOUT)
                .tools(new SandboxTools(service, defaultImage).all())
                .build();
        try {
            ended.await();
        } finally {
            server.closeGracefully();
        }
    }
}
