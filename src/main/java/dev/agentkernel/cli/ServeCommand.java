package dev.agentkernel.cli;

import dev.agentkernel.api.ApiKeys;
import dev.agentkernel.api.ApiServer;
import dev.agentkernel.process.CommandRunner;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel serve}: agentkernel's HTTP API, until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve agentkernel's HTTP API (the one its SDKs speak) on the sandboxes of this data directory.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; any other than loopback needs an API key).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + ApiServer.DEFAULT_PORT,
            description = "Port (default: ${DEFAULT-VALUE}; 0: a free one, printed).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Accept `Authorization: Bearer KEY` (repeatable). Visible in the process list: prefer --api-key-file.")
    List<String> apiKeys = List.of();

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "Keys to accept, one a line (# comments).")
    Path apiKeyFile;

    @Option(names = "--default-image", paramLabel = "SOURCE", defaultValue = ApiServer.DEFAULT_IMAGE,
            description = "Image for /run and for sandboxes created without one (default: ${DEFAULT-VALUE}).")
    String defaultImage;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ApiKeys keys = ApiKeys.of(apiKeys, apiKeyFile, System.getenv("AGENTKERNEL_API_KEY"));
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        ApiServer server = ApiServer.start(service, host, port, keys, defaultImage, System.err);
        Thread stop = new Thread(server::close, "serve-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            server.join();
        } finally {
            CommandRunner.removeShutdownHook(stop);
        }
        return 0;
    }
}
