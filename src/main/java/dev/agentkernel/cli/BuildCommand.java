package dev.agentkernel.cli;

import dev.agentkernel.build.BuildSpec;
import dev.agentkernel.build.ImageBuilder;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineDetector;
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

/** {@code agentkernel build}: a Dockerfile build through an installed engine, recorded in the image store. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build an image from a Dockerfile with Docker, Podman or Buildah and store it as NAME.")
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

    @Option(names = "--no-cache", description = "Do not use the engine's layer cache.")
    boolean noCache;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "auto (Docker if its daemon answers, else Podman, else Buildah), docker, podman or buildah.")
    String engine;

    @Parameters(paramLabel = "CONTEXT", description = "Build context directory.")
    String context;

    @Override
    public Integer call() {
        BuildSpec buildSpec = BuildSpec.of(name, context, dockerfile, buildArgs, target, noCache);
        EngineChoice choice = EngineChoice.parse(engine);
        PrintWriter err = spec.commandLine().getErr();
        EngineDetector.Detection detection = EngineDetector.forThisMachine().detect(choice);
        err.println("agentkernel: " + detection.describe());
        err.flush();
        ImageStore store = new ImageStore(Main.home(spec));
        ImageRecord record = new ImageBuilder(store).build(buildSpec, detection.engine(), line -> {
            err.println(line);
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        out.println("built " + record.name() + " (" + record.engineReference() + ", " + record.id().shortHex() + ", "
                + HumanSize.format(record.size()) + ")");
        out.flush();
        return 0;
    }
}
