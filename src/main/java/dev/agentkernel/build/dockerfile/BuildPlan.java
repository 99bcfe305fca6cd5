package dev.agentkernel.build.dockerfile;

import dev.agentkernel.image.Platform;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What to build, with every value expanded: the stages the target needs, in Dockerfile order (the target last),
 * each a base and a list of steps. A builder runs the stages in order; a stage built {@code FROM} another starts
 * from that stage's result, and a copy {@code --from} a stage reads that stage's result.
 *
 * @param unusedBuildArgs {@code --build-arg} names no ARG in the stages built declares (the reference warns)
 * @param warnings        the parser's and the evaluator's warnings, each naming its line
 */
public record BuildPlan(List<StagePlan> stages, Set<String> unusedBuildArgs, List<String> warnings) {
    public BuildPlan {
        stages = List.copyOf(stages);
        unusedBuildArgs = Set.copyOf(unusedBuildArgs);
        warnings = List.copyOf(warnings);
    }

    /** The stage whose result is the image. */
    public StagePlan target() {
        return stages.get(stages.size() - 1);
    }

    /** The planned stage with the Dockerfile index {@code index}, if the target needs it. */
    public Optional<StagePlan> stage(int index) {
        return stages.stream().filter(s -> s.index() == index).findFirst();
    }

    /** Where a stage starts from. */
    public sealed interface Base {
        /** {@code FROM scratch}: an empty filesystem. */
        record Scratch() implements Base {
        }

        /** An image, by the reference as written (after expansion). */
        record Image(String reference) implements Base {
        }

        /** The result of an earlier stage, by its Dockerfile index. */
        record Stage(int index) implements Base {
        }
    }

    /**
     * One stage to build.
     *
     * @param index    its position among the Dockerfile's stages (what {@code COPY --from=N} names)
     * @param name     its {@code AS} name, lower case
     * @param base     what it starts from
     * @param platform the platform it is built for
     * @param steps    what to do, in order
     * @param config   the image config the stage ends with
     */
    public record StagePlan(int index, Optional<String> name, Base base, Platform platform, List<Step> steps,
                            ImageSettings config) {
        public StagePlan {
            steps = List.copyOf(steps);
        }
    }
}
