package dev.agentkernel.cli;

import dev.agentkernel.build.BuildSpec;
import dev.agentkernel.build.ImageBuilder;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineDetector;
import dev.agentkernel.builder.NativeBuildRequest;
import dev.agentkernel.builder.NativeBuilder;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code agentkernel build}: a Dockerfile build through an installed engine, or with agentkernel's own builder
 * (RUN steps in a microVM), recorded in the image store.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build an image from a Dockerfile with Docker, Podman, Buildah or the native builder (RUN"
                + " steps in a microVM) and store it as NAME.")
final class BuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--tag"}, required = true, paramLabel = "NAME",
            description = "Image name: lower-case letters, digits, '-', '_', '.' (tagged agentkernel-NAME).")
    String name;

    @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE", description = "Dockerfile (default CONTEXT/Dockerfile).")
    String dockerfile;

    @Option(names = "--build-arg", paramLabel = "KEY=VALUE", description = "Build argument (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage of a multi-stage Dockerfile.")
    String target;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "Set a label on the image (repeatable); overrides the Dockerfile's LABEL of that key.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to build for: picks it from a base image that is an index (default: this"
                    + " machine's, e.g. linux/amd64).")
    String platform;

    @Option(names = "--no-cache", description = "Do not use the engine's layer cache.")
    boolean noCache;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "auto (Docker if its daemon answers, else Podman, else Buildah, else native), docker,"
                    + " podman, buildah or native.")
    String engine;

    @Option(names = "--network", paramLabel = "MODE",
            description = "The network of RUN steps with --engine native, as for sandboxes: default (outbound"
                    + " NAT), none, or allow:NAME[,NAME...].")
    String network;

    @Parameters(paramLabel = "CONTEXT", description = "Build context directory.")
    String context;

    private static final String NATIVE = "native";

    private ImageRecord buildNatively(BuildSpec buildSpec, Consumer<String> log) {
        NativeBuildRequest request = NativeBuildRequest.of(buildSpec, System.getenv()).withNetwork(network);
        return new NativeBuilder(Main.home(spec), System.getenv(), log).build(request);
    }

    @Override
    public Integer call() {
        BuildSpec buildSpec = BuildSpec.of(name, context, dockerfile, buildArgs, target, noCache).withLabels(labels)
                .withPlatform(platform);
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> log = line -> {
            err.println(line);
            err.flush();
        };
        ImageRecord record;
        if (engine.equals(NATIVE)) {
            record = buildNatively(buildSpec, log);
        } else {
            EngineChoice choice = EngineChoice.parse(engine);
            EngineDetector.Detection detection;
            try {
                detection = EngineDetector.forThisMachine().detect(choice);
            } catch (ToolException e) {
                if (choice != EngineChoice.AUTO) {
                    throw e;
                }
                log.accept("agentkernel: " + e.getMessage().replaceFirst(": install .*", "")
                        + "; building with the native builder (RUN steps in a microVM)");
                detection = null;
            }
            if (detection == null) {
                record = buildNatively(buildSpec, log);
            } else {
                if (network != null) {
                    throw new UserInputException("--network applies to --engine native only");
                }
                log.accept("agentkernel: " + detection.describe());
                record = new ImageBuilder(new ImageStore(Main.home(spec))).build(buildSpec, detection.engine(), log);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("built " + record.name() + " (" + record.engineReference() + ", " + record.id().shortHex() + ", "
                + HumanSize.format(record.size()) + ")");
        out.flush();
        return 0;
    }
}
