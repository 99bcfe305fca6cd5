package dev.agentkernel.cli;

import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code agentkernel logs NAME [-f] [--network]}: the guest console (or the network log), as written (follows with
 * -f until the sandbox ends).
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a sandbox's guest console log.")
final class LogsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Sandbox name.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what the guest writes until the sandbox stops.")
    boolean follow;

    @Option(names = "--network", description = "The network log instead: every connection the host refused"
            + " (the allowlist's with the name the guest asked for, the host's own addresses).")
    boolean network;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SandboxService service = new SandboxService(Main.home(spec), System.getenv());
        SandboxName sandbox = SandboxName.of(name);
        Path log = network ? service.networkLog(sandbox) : service.consoleLog(sandbox);
        PrintWriter out = spec.commandLine().getOut();
        // the guest's bytes as text; a character split between two reads is decoded whole in the second
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer pending = ByteBuffer.allocate(64 * 1024 + 8);
        CharBuffer chars = CharBuffer.allocate(64 * 1024 + 8);
        byte[] buffer = new byte[64 * 1024];
        long offset = 0;
        while (true) {
            if (Files.isRegularFile(log)) {
                try (InputStream in = Files.newInputStream(log)) {
                    if (in.skip(offset) == offset || offset == 0) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            pending.put(buffer, 0, n).flip();
                            decoder.decode(pending, chars, false);
                            pending.compact();
                            out.append(chars.flip());
                            chars.clear();
                            offset += n;
                        }
                    }
                }
                out.flush();
            }
            if (!follow || !service.store().exists(sandbox)
                    || !service.inspect(sandbox).status().alive()) {
                return 0;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
            if (Files.isRegularFile(log) && Files.size(log) < offset) {
                offset = 0; // rotated by a restart
            }
        }
    }
}
