package dev.agentkernel.cli;

import dev.agentkernel.copy.CopyResult;
import dev.agentkernel.copy.Copier;
import dev.agentkernel.sandbox.SandboxService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/** {@code agentkernel cp SRC DST}: files and trees between the host and a sandbox, as {@code docker cp}. */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy files and directories between the host and a sandbox, as docker cp does.",
                "One side is NAME:PATH (a path in sandbox NAME); '-' is a tar stream on stdin (SRC) or stdout (DST)."})
final class CpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "NAME:PATH, a host path, or - (a tar stream on stdin).")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "NAME:PATH, a host path, or - (a tar stream on stdout).")
    String destination;

    @Option(names = {"-L", "--follow-link"}, description = "Follow a symlink that SRC itself is.")
    boolean followLink;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Copier copier = new Copier(new SandboxService(Main.home(spec), System.getenv()));
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 << 10);
        CopyResult r = copier.copy(source, destination, followLink, new FileInputStream(FileDescriptor.in), stdout);
        try {
            stdout.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tar stream to stdout", e);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String skipped : r.skipped()) {
            err.println("agentkernel: skipped " + skipped);
        }
        if (!quiet) {
            err.println("Successfully copied " + HumanSize.format(r.bytes()) + " (" + r.entries() + " entries) to "
                    + r.destination());
        }
        err.flush();
        return 0;
    }
}
