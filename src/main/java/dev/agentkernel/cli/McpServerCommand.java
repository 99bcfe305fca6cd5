package dev.agentkernel.cli;

import dev.agentkernel.api.ApiServer;
import dev.agentkernel.mcp.McpStdioServer;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.concurrent.Callable;

/** {@code agentkernel mcp-server}: an MCP server on stdin/stdout for coding agents (Claude Code, ...). */
@Command(name = "mcp-server", mixinStandardHelpOptions = true,
        description = "Serve the sandbox tools over the Model Context Protocol on stdin/stdout.")
final class McpServerCommand implements Callable<Integer> {
    @Option(names = "--default-image", paramLabel = "SOURCE", defaultValue = ApiServer.DEFAULT_IMAGE,
            description = "Image for sandbox_run and sandbox_create when the call names none (default: ${DEFAULT-VALUE}).")
    String defaultImage;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        String version = new VersionProvider().getVersion()[0].replaceFirst("^agentkernel ", "");
        // The raw descriptors: System.out may be wrapped, and nothing but JSON-RPC may reach stdout.
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        McpStdioServer.serve(service, defaultImage, version, new FileInputStream(FileDescriptor.in), out);
        return 0;
    }
}
