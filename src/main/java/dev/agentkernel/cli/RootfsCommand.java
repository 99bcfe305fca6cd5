package dev.agentkernel.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.json.ImageJson;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.rootfs.AgentChoice;
import dev.agentkernel.rootfs.ByteSize;
import dev.agentkernel.rootfs.RootfsConverter;
import dev.agentkernel.rootfs.RootfsOptions;
import dev.agentkernel.rootfs.RootfsResult;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code agentkernel rootfs SOURCE}: converts an image to a bootable ext4 root filesystem (cached). */
@Command(name = "rootfs", mixinStandardHelpOptions = true,
        description = {"Convert an image to a bootable ext4 root filesystem and print its path.",
                "SOURCE: oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF], docker-daemon:REF, "
                        + "docker://REF, or the NAME of a local image.",
                "Results are cached by image content under the data directory; -o writes a file instead."},
        subcommands = RootfsPruneCommand.class)
public final class RootfsCommand implements Runnable {
    // Optional for picocli only, so that `rootfs prune` parses; run() requires it.
    @Parameters(index = "0", arity = "0..1", paramLabel = "SOURCE", description = "The image to convert.")
    String source;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the image to FILE (not cached).")
    Path output;

    static final class Sizing {
        @Option(names = "--free", paramLabel = "SIZE",
                description = "Free space to add to the content (default 1G; sparse, costs no disk space).")
        String free;

        @Option(names = "--size", paramLabel = "SIZE", description = "A fixed file system size, e.g. 2G.")
        String size;
    }

    @ArgGroup(exclusive = true)
    Sizing sizing = new Sizing();

    static final class Agent {
        @Option(names = "--agent", paramLabel = "PATH", description = "Inject this agent binary at /usr/bin/agent.")
        Path path;

        @Option(names = "--no-agent", description = "Inject no agent.")
        boolean none;
    }

    @ArgGroup(exclusive = true)
    Agent agent = new Agent();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to pick from a multi-platform image (default linux/<host arch>).")
    String platform;

    @Option(names = "--no-cache", description = "Convert again even when a cached result exists (and replace it).")
    boolean noCache;

    @Option(names = "--json", description = "Print a JSON object instead of the path.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What --json prints. */
    record Output(@JsonProperty("path") String path,
                  @JsonProperty("filesystemBytes") long filesystemBytes,
                  @JsonProperty("diskBytes") long diskBytes,
                  @JsonProperty("entries") long entries,
                  @JsonProperty("imageDigest") String imageDigest,
                  @JsonProperty("cacheHit") boolean cacheHit,
                  @JsonProperty("seconds") double seconds) {
    }

    @Override
    public void run() {
        if (source == null) {
            throw new UserInputException("rootfs needs a SOURCE, e.g. oci:DIR or docker-archive:FILE "
                    + "(see 'agentkernel rootfs --help')");
        }
        RootfsOptions options = options();
        PrintWriter err = spec.commandLine().getErr();
        ProgressPrinter progress = new ProgressPrinter(err, ProgressPrinter.stderrIsTerminal());
        SourceSpec image = RegistryPrefetch.pullIfRegistry(SourceSpec.parse(source), options.platform(),
                Main.home(spec), err);
        RootfsResult r = new RootfsConverter(Main.home(spec)).convert(image, options, progress);
        long diskBytes = r.diskBytes();
        progress.done(r, diskBytes);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Output o = new Output(r.path().toString(), r.filesystemBytes(), diskBytes, r.entries(),
                    r.imageDigest().toString(), r.cacheHit(), Math.round(r.seconds() * 1000) / 1000.0);
            out.println(new String(ImageJson.write(o), StandardCharsets.UTF_8));
        } else {
            out.println(r.path());
        }
        out.flush();
    }

    private RootfsOptions options() {
        RootfsOptions o = RootfsOptions.defaults().withCache(!noCache);
        if (sizing.size != null) {
            long size = ByteSize.parse(sizing.size);
            if (size <= 0) {
                throw new UserInputException("--size must be larger than 0");
            }
            o = o.withFixedSize(size);
        }
        if (sizing.free != null) {
            o = o.withFreeBytes(ByteSize.parse(sizing.free));
        }
        if (agent.path != null) {
            o = o.withAgent(AgentChoice.file(agent.path));
        } else if (agent.none) {
            o = o.withAgent(AgentChoice.none());
        }
        if (platform != null) {
            o = o.withPlatform(Platform.parse(platform));
        }
        if (output != null) {
            o = o.withOutput(output);
        }
        return o;
    }
}
