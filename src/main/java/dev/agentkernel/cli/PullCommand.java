package dev.agentkernel.cli;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Platform;
import dev.agentkernel.registry.Credentials;
import dev.agentkernel.registry.PullListener;
import dev.agentkernel.registry.PullService;
import dev.agentkernel.registry.RegistryOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code agentkernel pull REF}: pulls an image from a registry into the local image store. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Pull an image from a registry (no Docker needed) into the local image store.",
                "Afterwards `images` lists it and `rootfs REF` / `run --image REF` use it.",
                "Registries on localhost/127.0.0.1 are spoken to over plain HTTP, all others over HTTPS."})
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REF",
            description = "Image reference, Docker style: python:3.12, ghcr.io/o/app:1, host:5000/app@sha256:...")
    String reference;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "Platform to pick from a multi-platform image (default: linux/<this machine>).")
    String platform;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD",
            description = "Registry credentials (default: the registry's entry in $DOCKER_CONFIG/config.json or"
                    + " ~/.docker/config.json, else anonymous). Visible in the process list: prefer"
                    + " --username with --password-stdin.")
    String creds;

    @Option(names = "--username", paramLabel = "USER", description = "Registry user, with --password-stdin.")
    String username;

    @Option(names = "--password-stdin",
            description = "Read the password (or token) for --username from the first line of standard input.")
    boolean passwordStdin;

    @Option(names = "--insecure", description = "Use plain HTTP for a registry that is not on this machine.")
    boolean insecure;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ImageReference ref = ImageReference.parse(reference);
        Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
        RegistryOptions options = RegistryOptions.defaults().withInsecure(insecure).withCredentials(credentials());
        PrintWriter err = spec.commandLine().getErr();
        PullProgress progress = new PullProgress(err, System.console() != null);
        PullService.Result result;
        try {
            result = new PullService(Main.home(spec), options, Clock.systemUTC())
                    .pull(ref, wanted, quiet ? PullListener.NONE : progress);
        } finally {
            progress.close();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("pulled " + result.record().name() + " " + result.image().manifestDigest()
                + result.image().selectedPlatform().map(p -> " (" + p + ")").orElse("")
                + ": " + result.image().downloadedBlobs() + " blobs downloaded, "
                + HumanSize.format(result.image().downloadedBytes()));
        out.flush();
        return 0;
    }

    private Optional<Credentials> credentials() {
        if (creds != null && (username != null || passwordStdin)) {
            throw new UserInputException("give either --creds or --username with --password-stdin, not both");
        }
        if (username != null && !passwordStdin) {
            throw new UserInputException("--username needs --password-stdin (the password is read from standard input)");
        }
        if (passwordStdin) {
            return Optional.of(Credentials.readPassword(username, System.in, "--password-stdin"));
        }
        return Optional.ofNullable(creds).map(c -> Credentials.parse(c, "--creds"));
    }
}
