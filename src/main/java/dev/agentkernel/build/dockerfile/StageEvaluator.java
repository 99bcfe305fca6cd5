package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.BuildPlan.StagePlan;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Platform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Evaluates a parsed Dockerfile into a {@link BuildPlan}, following the Dockerfile reference: the global ARGs
 * (before the first FROM, with the automatic platform args and {@code --build-arg} overrides) expand FROM lines
 * only; {@code --target} picks the stage (default: the last) and only the stages it needs are planned (its base
 * stages, the stages it copies or mounts from, and theirs, ONBUILD triggers included); each planned stage starts
 * from scratch, a base image's config (from the {@link BaseImageResolver}) or an earlier stage's result, runs its
 * base's ONBUILD triggers first, and then its own instructions with every value expanded in the scope it is in.
 */
public final class StageEvaluator {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    /** The predefined proxy ARGs, usable without an ARG instruction (any case). */
    static final Set<String> PROXY_ARGS = Set.of("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy");

    private final Dockerfile file;
    private final BuildOptions options;
    private final BaseImageResolver resolver;
    private final WordExpander words;
    private final List<Dockerfile.Stage> stages;
    private final Map<String, String> globals = new LinkedHashMap<>();
    private final Set<String> declaredArgs = new LinkedHashSet<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<StageHeader> headers = new ArrayList<>();

    private StageEvaluator(Dockerfile file, BuildOptions options, BaseImageResolver resolver) {
        this.file = file;
        this.options = options;
        this.resolver = resolver;
        this.words = WordExpander.standard(file.directives().escape());
        this.stages = file.stages();
        this.warnings.addAll(file.warnings());
    }

    /** Plans the build of {@code file}; a problem in the Dockerfile is a {@link DockerfileException} naming its line. */
    public static BuildPlan evaluate(Dockerfile file, BuildOptions options, BaseImageResolver resolver) {
        return new StageEvaluator(file, options, resolver).plan();
    }

    /** A stage's FROM, evaluated: the base's name after expansion, and the earlier stage it names, if any. */
    private record StageHeader(Dockerfile.Stage stage, String baseName, Integer baseStage, Optional<Platform> platform) {
    }

    private BuildPlan plan() {
        int targetIndex = targetIndex();
        defineGlobals(targetIndex);
        for (Dockerfile.Stage stage : stages) {
            headers.add(header(stage));
        }
        Map<Integer, List<Instruction>> triggers = new HashMap<>();
        Map<Integer, ImageSettings> baseConfigs = new HashMap<>();
        Set<Integer> needed = neededStages(targetIndex, triggers, baseConfigs);

        Map<Integer, StageState> done = new HashMap<>();
        List<StagePlan> plans = new ArrayList<>();
        for (Dockerfile.Stage stage : stages) {
            if (!needed.contains(stage.index())) {
                continue;
            }
            StageHeader h = headers.get(stage.index());
            StageState state;
            BuildPlan.Base base;
            Platform platform;
            if (h.baseStage() != null) {
                StageState parent = done.get(h.baseStage());
                state = parent.child();
                base = new BuildPlan.Base.Stage(h.baseStage());
                platform = parent.platform();
            } else {
                platform = h.platform().orElse(options.targetPlatform());
                ImageSettings config = baseConfigs.getOrDefault(stage.index(), ImageSettings.empty());
                state = StageState.fromImage(this, stage, config, platform);
                base = isScratch(h.baseName()) ? new BuildPlan.Base.Scratch() : new BuildPlan.Base.Image(h.baseName());
            }
            state.begin(stage);
            for (Instruction trigger : triggers.getOrDefault(stage.index(), List.of())) {
                state.apply(trigger);
            }
            for (Instruction instruction : stage.instructions()) {
                state.apply(instruction);
            }
            done.put(stage.index(), state);
            plans.add(new StagePlan(stage.index(), stage.from().stageName(), base, platform, state.steps(),
                    state.settings()));
        }
        Set<String> unused = new TreeSet<>();
        for (String arg : options.buildArgs().keySet()) {
            if (!declaredArgs.contains(arg) && !PROXY_ARGS.contains(arg.toLowerCase(Locale.ROOT))) {
                unused.add(arg);
            }
        }
        return new BuildPlan(plans, unused, warnings);
    }

    private static boolean isScratch(String name) {
        return name.equals("scratch");
    }

    private int targetIndex() {
        if (options.target().isEmpty()) {
            return stages.size() - 1;
        }
        String target = options.target().get();
        return file.stage(target).map(Dockerfile.Stage::index).orElseThrow(() -> {
            List<String> names = new ArrayList<>();
            for (Dockerfile.Stage s : stages) {
                s.from().stageName().ifPresent(names::add);
            }
            return new UserInputException("target stage \"" + target + "\" could not be found"
                    + (names.isEmpty() ? ": the Dockerfile names no stage" : "; the stages are " + String.join(", ", names)));
        });
    }

    /** The automatic platform args, then the ARGs before the first FROM, each overridable by {@code --build-arg}. */
    private void defineGlobals(int targetIndex) {
        Platform build = options.buildPlatform();
        Platform target = options.targetPlatform();
        String targetStage = stages.get(targetIndex).from().stageName().orElse("default");
        Map<String, String> automatic = new LinkedHashMap<>();
        automatic.put("BUILDPLATFORM", build.toString());
        automatic.put("BUILDOS", build.os());
        automatic.put("BUILDARCH", build.architecture());
        automatic.put("BUILDVARIANT", build.variant() == null ? "" : build.variant());
        automatic.put("TARGETPLATFORM", target.toString());
        automatic.put("TARGETOS", target.os());
        automatic.put("TARGETARCH", target.architecture());
        automatic.put("TARGETVARIANT", target.variant() == null ? "" : target.variant());
        automatic.put("TARGETSTAGE", targetStage);
        automatic.forEach((k, v) -> globals.put(k, options.buildArgs().getOrDefault(k, v)));
        for (Instruction.Arg arg : file.globalArgs()) {
            for (Instruction.ArgDefinition def : arg.definitions()) {
                declaredArgs.add(def.name());
                String value = options.buildArgs().get(def.name());
                if (value == null && def.defaultValue().isPresent()) {
                    value = expand(arg.line(), def.defaultValue().get(), globals::get);
                }
                if (value != null) {
                    globals.put(def.name(), value);
                }
            }
        }
    }

    private StageHeader header(Dockerfile.Stage stage) {
        Instruction.From from = stage.from();
        String baseName = expand(from.line(), from.image(), globals::get);
        if (baseName.isBlank()) {
            throw from.line().error("base name (" + from.image() + ") should not be blank");
        }
        Integer baseStage = null;
        for (Dockerfile.Stage earlier : stages.subList(0, stage.index())) {
            if (earlier.from().stageName().filter(baseName::equals).isPresent()) {
                baseStage = earlier.index();
            }
        }
        Optional<Platform> platform = Optional.empty();
        if (from.platform().isPresent()) {
            String p = expand(from.line(), from.platform().get(), globals::get);
            if (p.isEmpty()) {
                throw from.line().error("empty platform value from expression " + from.platform().get());
            }
            try {
                platform = Optional.of(Platform.parse(p));
            } catch (UserInputException e) {
                throw from.line().error("failed to parse platform " + from.platform().get() + ": " + e.getMessage(), e);
            }
        }
        return new StageHeader(stage, baseName, baseStage, platform);
    }

    /**
     * The stages the target needs. Resolving a base image's config can bring ONBUILD triggers that copy from
     * more stages, so this goes round until nothing new is needed.
     */
    private Set<Integer> neededStages(int target, Map<Integer, List<Instruction>> triggers,
                                      Map<Integer, ImageSettings> baseConfigs) {
        Set<Integer> needed = new TreeSet<>();
        List<Integer> queue = new ArrayList<>(List.of(target));
        while (!queue.isEmpty()) {
            int index = queue.remove(queue.size() - 1);
            if (!needed.add(index)) {
                continue;
            }
            StageHeader h = headers.get(index);
            List<Instruction> stageTriggers = triggers(h, baseConfigs);
            triggers.put(index, stageTriggers);
            List<Instruction> all = new ArrayList<>(stageTriggers);
            all.addAll(h.stage().instructions());
            if (h.baseStage() != null) {
                queue.add(h.baseStage());
            }
            for (Instruction i : all) {
                for (Step.Source source : sourcesOf(i, index)) {
                    if (source instanceof Step.Source.Stage s) {
                        queue.add(s.index());
                    }
                }
            }
        }
        return needed;
    }

    /** The ONBUILD triggers a stage runs first: its base stage's ONBUILD instructions, or its base image's. */
    private List<Instruction> triggers(StageHeader h, Map<Integer, ImageSettings> baseConfigs) {
        Line at = h.stage().from().line();
        if (h.baseStage() != null) {
            List<Instruction> out = new ArrayList<>();
            for (Instruction i : stages.get(h.baseStage()).instructions()) {
                if (i instanceof Instruction.Onbuild o) {
                    out.add(o.trigger());
                }
            }
            return out;
        }
        if (isScratch(h.baseName())) {
            return List.of();
        }
        Platform platform = h.platform().orElse(options.targetPlatform());
        ImageSettings config = resolver.resolve(h.baseName(), platform);
        baseConfigs.put(h.stage().index(), config);
        List<Instruction> out = new ArrayList<>();
        for (String expression : config.onBuild()) {
            out.add(parseTrigger(expression, at));
        }
        return out;
    }

    /** A base image's ONBUILD trigger, parsed as one instruction located at the FROM that runs it. */
    private static Instruction parseTrigger(String expression, Line at) {
        SourceReader.Source source;
        try {
            source = SourceReader.read(expression);
        } catch (DockerfileException e) {
            throw at.error("the base image's ONBUILD trigger '" + expression + "' is not valid: " + e.getMessage(), e);
        }
        if (source.lines().size() != 1) {
            throw at.error("the base image's ONBUILD trigger '" + expression + "' is not a single instruction");
        }
        SourceReader.LogicalLine line = source.lines().get(0);
        Instruction trigger;
        try {
            trigger = new InstructionParser('\\').parse(new SourceReader.LogicalLine(at.start(), at.start(),
                    line.text(), line.heredocs()));
        } catch (DockerfileException e) {
            throw at.error("the base image's ONBUILD trigger '" + expression + "': " + e.getMessage(), e);
        }
        if (trigger instanceof Instruction.From || trigger instanceof Instruction.Onbuild
                || trigger instanceof Instruction.Maintainer) {
            throw at.error(trigger.keyword() + " isn't allowed as an ONBUILD trigger (in the base image's config)");
        }
        return trigger;
    }

    /** Where an instruction reads from besides its own stage: COPY --from and RUN --mount from=. */
    List<Step.Source> sourcesOf(Instruction instruction, int current) {
        List<Step.Source> out = new ArrayList<>();
        if (instruction instanceof Instruction.Copy c && c.from().isPresent()) {
            out.add(resolveFrom(c.line(), c.from().get(), current, "COPY --from"));
        } else if (instruction instanceof Instruction.Run r) {
            for (String spec : r.mounts()) {
                for (String field : RunMount.csvFields(spec)) {
                    if (field.toLowerCase(Locale.ROOT).startsWith("from=")) {
                        out.add(resolveFrom(r.line(), field.substring(5), current, "RUN --mount from"));
                    }
                }
            }
        }
        return out;
    }

    /** A {@code --from} value: a stage by name or index (it must come before the current one), else an image. */
    Step.Source resolveFrom(Line line, String from, int current, String what) {
        if (!expand(line, from, name -> null).equals(from)) {
            throw line.error("variable expansion is not supported for " + what
                    + ", define a new stage with FROM using ARG from global scope as a workaround");
        }
        Integer index = null;
        if (from.matches("-?\\d+")) {
            try {
                index = Integer.parseInt(from);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || index >= stages.size()) {
                throw line.error("invalid stage index " + from + " (the Dockerfile has stages 0 to " + (stages.size() - 1) + ")");
            }
        } else {
            Optional<Dockerfile.Stage> named = file.stage(from);
            if (named.isPresent()) {
                index = named.get().index();
            }
        }
        if (index == null) {
            return new Step.Source.Image(from);
        }
        if (index == current) {
            throw line.error("circular dependency detected on stage: " + stageLabel(index) + " reads from itself");
        }
        if (index > current) {
            throw line.error("cannot copy from stage " + stageLabel(index) + ", it needs to be defined before current stage "
                    + stageLabel(current));
        }
        return new Step.Source.Stage(index);
    }

    private String stageLabel(int index) {
        return "\"" + stages.get(index).from().stageName().orElse(String.valueOf(index)) + "\"";
    }

    /** Expands {@code word}; a malformed word is an error on {@code line}. */
    String expand(Line line, String word, java.util.function.Function<String, String> env) {
        try {
            return words.word(word, env);
        } catch (IllegalArgumentException e) {
            throw line.error(e.getMessage(), e);
        }
    }

    List<String> fields(Line line, String word, java.util.function.Function<String, String> env) {
        try {
            return words.expand(word, env).fields();
        } catch (IllegalArgumentException e) {
            throw line.error(e.getMessage(), e);
        }
    }

    BuildOptions options() {
        return options;
    }

    Map<String, String> globals() {
        return globals;
    }

    void declared(String arg) {
        declaredArgs.add(arg);
    }
}
