package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.Instruction.InlineSource;
import dev.agentkernel.image.Platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One stage while it is evaluated: its config so far, the ARGs in scope, and the steps planned. Variables
 * resolve to the stage's ENV first (an ENV always overrides an ARG of the same name, as the reference says), then
 * to its ARGs.
 */
final class StageState {
    private static final Pattern OCTAL_MODE = Pattern.compile("[0-7]{1,4}");
    private static final Pattern SYMBOLIC_MODE = Pattern.compile("[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*");
    private static final Pattern CHECKSUM = Pattern.compile("(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})");

    private final StageEvaluator evaluator;
    private final Platform platform;
    private final LinkedHashMap<String, String> env;
    private final LinkedHashMap<String, String> args;
    private final LinkedHashMap<String, String> labels;
    private final Set<String> exposedPorts;
    private final Set<String> volumes;
    private final List<String> onBuild = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private List<String> cmd;
    private List<String> entrypoint;
    private List<String> shell;
    private String workdir;
    private String user;
    private String stopSignal;
    private String author;
    private Optional<HealthcheckConfig> healthcheck;
    private boolean cmdSet;
    private int index;

    private StageState(StageEvaluator evaluator, Platform platform, ImageSettings base, Map<String, String> args) {
        this.evaluator = evaluator;
        this.platform = platform;
        this.env = new LinkedHashMap<>();
        for (String e : base.env()) {
            int eq = e.indexOf('=');
            env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        env.putIfAbsent("PATH", StageEvaluator.DEFAULT_PATH);
        this.args = new LinkedHashMap<>(args);
        this.labels = new LinkedHashMap<>(base.labels());
        this.exposedPorts = new LinkedHashSet<>(base.exposedPorts());
        this.volumes = new LinkedHashSet<>(base.volumes());
        this.cmd = base.cmd();
        this.entrypoint = base.entrypoint();
        this.shell = base.shell();
        this.workdir = base.workingDir().isEmpty() ? "" : normalizeWorkdir("", base.workingDir());
        this.user = base.user();
        this.stopSignal = base.stopSignal();
        this.author = base.author();
        this.healthcheck = base.healthcheck();
    }

    /** A stage starting from an image's config ({@link ImageSettings#empty()} for scratch). */
    static StageState fromImage(StageEvaluator evaluator, Dockerfile.Stage stage, ImageSettings config, Platform platform) {
        return new StageState(evaluator, platform, config, Map.of());
    }

    /** A stage built FROM this one: its config and ARGs, without its ONBUILD triggers or its CMD-set mark. */
    StageState child() {
        StageState c = new StageState(evaluator, platform, settings(), args);
        c.env.clear();
        c.env.putAll(env);
        return c;
    }

    void begin(Dockerfile.Stage stage) {
        this.index = stage.index();
    }

    Platform platform() {
        return platform;
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    ImageSettings settings() {
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        return new ImageSettings(envList, cmd, entrypoint, workdir, user, labels, exposedPorts, volumes, stopSignal,
                healthcheck, onBuild, shell, author);
    }

    private String lookup(String name) {
        String v = env.get(name);
        return v != null ? v : args.get(name);
    }

    private String expand(Line line, String word) {
        return evaluator.expand(line, word, this::lookup);
    }

    private Optional<String> expand(Line line, Optional<String> word) {
        return word.map(w -> expand(line, w));
    }

    private List<String> currentShell() {
        return shell.isEmpty() ? StageEvaluator.DEFAULT_SHELL : shell;
    }

    private ExecContext context() {
        List<String> runEnv = new ArrayList<>();
        env.forEach((k, v) -> runEnv.add(k + "=" + v));
        args.forEach((k, v) -> {
            if (!env.containsKey(k)) {
                runEnv.add(k + "=" + v);
            }
        });
        return new ExecContext(runEnv, workdir.isEmpty() ? "/" : workdir, user, currentShell());
    }

    private void config(Line line, String createdBy) {
        steps.add(new Step.Config(line, createdBy));
    }

    void apply(Instruction instruction) {
        Line line = instruction.line();
        if (instruction instanceof Instruction.Env i) {
            List<String[]> pairs = new ArrayList<>();
            for (Instruction.KeyValue kv : i.pairs()) {
                pairs.add(new String[]{expand(line, kv.key()), expand(line, kv.value())});
            }
            StringBuilder text = new StringBuilder("ENV");
            for (String[] p : pairs) {
                env.put(p[0], p[1]);
                text.append(' ').append(p[0]).append('=').append(p[1]);
            }
            config(line, text.toString());
        } else if (instruction instanceof Instruction.Arg i) {
            arg(i);
        } else if (instruction instanceof Instruction.Label i) {
            List<String[]> pairs = new ArrayList<>();
            for (Instruction.KeyValue kv : i.pairs()) {
                pairs.add(new String[]{expand(line, kv.key()), expand(line, kv.value())});
            }
            StringBuilder text = new StringBuilder("LABEL");
            for (String[] p : pairs) {
                labels.put(p[0], p[1]);
                text.append(' ').append(p[0]).append('=').append(p[1]);
            }
            config(line, text.toString());
        } else if (instruction instanceof Instruction.Expose i) {
            List<String> ports = new ArrayList<>();
            for (String word : i.ports()) {
                for (String field : evaluator.fields(line, word, this::lookup)) {
                    try {
                        ports.addAll(PortSpecs.parse(field));
                    } catch (IllegalArgumentException e) {
                        throw line.error(e.getMessage(), e);
                    }
                }
            }
            exposedPorts.addAll(ports);
            config(line, "EXPOSE " + String.join(" ", ports));
        } else if (instruction instanceof Instruction.User i) {
            user = expand(line, i.user());
            config(line, "USER " + user);
        } else if (instruction instanceof Instruction.Workdir i) {
            workdir = normalizeWorkdir(workdir, expand(line, i.path()));
            if (workdir.equals("/")) {
                config(line, "WORKDIR /");
            } else {
                steps.add(new Step.Workdir(line, workdir, user, "WORKDIR " + workdir));
            }
        } else if (instruction instanceof Instruction.Volume i) {
            List<String> paths = new ArrayList<>();
            for (String p : i.paths()) {
                String v = expand(line, p);
                if (v.isEmpty()) {
                    throw line.error("VOLUME specified can not be an empty string");
                }
                paths.add(v);
            }
            volumes.addAll(paths);
            config(line, "VOLUME " + paths);
        } else if (instruction instanceof Instruction.StopSignal i) {
            String signal = expand(line, i.signal());
            if (!Signals.isValid(signal)) {
                throw line.error("invalid signal: " + signal);
            }
            stopSignal = signal;
            config(line, "STOPSIGNAL " + signal);
        } else if (instruction instanceof Instruction.Cmd i) {
            cmd = i.command().withShell(currentShell());
            cmdSet = true;
            config(line, "CMD " + JsonText.array(cmd));
        } else if (instruction instanceof Instruction.Entrypoint i) {
            entrypoint = i.command().withShell(currentShell());
            if (!cmdSet) {
                cmd = List.of();
            }
            config(line, "ENTRYPOINT " + JsonText.array(entrypoint));
        } else if (instruction instanceof Instruction.Healthcheck i) {
            healthcheck = Optional.of(i.config());
            config(line, "HEALTHCHECK " + JsonText.array(i.config().test()));
        } else if (instruction instanceof Instruction.Shell i) {
            shell = i.shell();
            config(line, "SHELL " + JsonText.array(shell));
        } else if (instruction instanceof Instruction.Maintainer i) {
            author = i.name();
            config(line, "MAINTAINER " + author);
        } else if (instruction instanceof Instruction.Onbuild i) {
            onBuild.add(i.expression());
            config(line, "ONBUILD " + i.expression());
        } else if (instruction instanceof Instruction.Run i) {
            run(i);
        } else if (instruction instanceof Instruction.Copy i) {
            Step.Source source = i.from().map(f -> evaluator.resolveFrom(line, f, index, "COPY --from"))
                    .orElse(new Step.Source.Context());
            copy(line, false, source, i.sources(), i.inline(), i.destination(), i.chown(), i.chmod(), i.link(),
                    i.excludes(), i.parents(), Optional.empty(), Optional.empty(), Optional.empty());
        } else if (instruction instanceof Instruction.Add i) {
            copy(line, true, new Step.Source.Context(), i.sources(), i.inline(), i.destination(), i.chown(), i.chmod(),
                    i.link(), i.excludes(), false, i.keepGitDir(), i.checksum(), i.unpack());
        } else if (instruction instanceof Instruction.From) {
            throw line.error("FROM inside a stage"); // cannot happen: stages are cut at FROM
        }
    }

    private void arg(Instruction.Arg i) {
        Line line = i.line();
        StringBuilder text = new StringBuilder("ARG");
        Map<String, String> buildArgs = evaluator.options().buildArgs();
        for (Instruction.ArgDefinition def : i.definitions()) {
            String name = def.name();
            evaluator.declared(name);
            String value;
            if (buildArgs.containsKey(name)) {
                value = buildArgs.get(name);
            } else if (def.defaultValue().isPresent()) {
                value = expand(line, def.defaultValue().get());
            } else {
                value = evaluator.globals().get(name);
            }
            if (value != null) {
                args.put(name, value);
            }
            text.append(' ').append(name);
            if (value != null) {
                text.append('=').append(value);
            }
        }
        config(line, text.toString());
    }

    private void run(Instruction.Run i) {
        Line line = i.line();
        List<RunMount> mounts = new ArrayList<>();
        List<Step.Source> mountSources = new ArrayList<>();
        for (String spec : i.mounts()) {
            RunMount mount;
            try {
                mount = RunMount.parse(spec, w -> expand(line, w));
            } catch (IllegalArgumentException e) {
                throw line.error("--mount=" + spec + ": " + e.getMessage(), e);
            }
            mounts.add(mount);
            mountSources.add(mount.from().map(f -> evaluator.resolveFrom(line, f, index, "RUN --mount from"))
                    .orElse(new Step.Source.Context()));
        }
        List<String> argv;
        List<Step.InlineFile> files = new ArrayList<>();
        CommandLine command = i.command();
        if (!i.heredocs().isEmpty()) {
            String cmdline = command.args().isEmpty() ? "" : command.args().get(0);
            Heredoc whole = SourceReader.heredocMarker(cmdline);
            if (i.heredocs().size() == 1 && whole != null) {
                Heredoc doc = i.heredocs().get(0);
                String data = doc.content();
                if (data.startsWith("#!")) {
                    String path = "/dev/pipes/" + doc.name();
                    files.add(new Step.InlineFile(path, data, 0755));
                    argv = List.of(path);
                } else {
                    argv = CommandLine.shell(data).withShell(currentShell());
                }
            } else {
                StringBuilder b = new StringBuilder(cmdline);
                for (Heredoc doc : i.heredocs()) {
                    b.append('\n').append(doc.body()).append(doc.name());
                }
                argv = CommandLine.shell(b.toString()).withShell(currentShell());
            }
        } else {
            argv = command.withShell(currentShell());
        }
        Map<String, String> proxy = new LinkedHashMap<>();
        evaluator.options().buildArgs().forEach((k, v) -> {
            if (StageEvaluator.PROXY_ARGS.contains(k.toLowerCase(Locale.ROOT)) && !args.containsKey(k)) {
                proxy.put(k, v);
            }
        });
        StringBuilder text = new StringBuilder("RUN ");
        if (!args.isEmpty()) {
            text.append('|').append(args.size());
            args.forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
            text.append(' ');
        }
        text.append(String.join(" ", argv));
        steps.add(new Step.Run(line, argv, files, mounts, mountSources, i.network(), i.security(), context(), proxy,
                text.toString()));
    }

    private void copy(Line line, boolean add, Step.Source source, List<String> rawSources, List<InlineSource> rawInline,
                      String rawDest, Optional<String> rawChown, Optional<String> rawChmod, boolean link,
                      List<String> excludes, boolean parents, Optional<Boolean> keepGitDir,
                      Optional<String> rawChecksum, Optional<Boolean> unpack) {
        String keyword = add ? "ADD" : "COPY";
        List<String> sources = new ArrayList<>();
        for (String s : rawSources) {
            sources.add(expand(line, s));
        }
        List<InlineSource> inline = new ArrayList<>();
        for (InlineSource s : rawInline) {
            if (s.expand()) {
                try {
                    inline.add(new InlineSource(s.name(), WordExpander.heredocBody().word(s.content(), this::lookup), true));
                } catch (IllegalArgumentException e) {
                    throw line.error(e.getMessage(), e);
                }
            } else {
                inline.add(s);
            }
        }
        String dest = resolveDestination(expand(line, rawDest));
        Optional<String> chown = expand(line, rawChown);
        Optional<String> chmod = expand(line, rawChmod);
        if (chmod.isPresent() && !OCTAL_MODE.matcher(chmod.get()).matches()
                && !SYMBOLIC_MODE.matcher(chmod.get()).matches()) {
            throw line.error("invalid chmod parameter: '" + chmod.get() + "'. it should be octal string like 0755 or"
                    + " a symbolic mode like u+x");
        }
        Optional<String> checksum = expand(line, rawChecksum);
        if (checksum.isPresent() && !CHECKSUM.matcher(checksum.get()).matches()) {
            throw line.error("invalid checksum digest format '" + checksum.get() + "': expected sha256:<64 hex digits>");
        }
        StringBuilder text = new StringBuilder(keyword);
        if (source instanceof Step.Source.Stage s) {
            text.append(" --from=").append(s.index());
        } else if (source instanceof Step.Source.Image img) {
            text.append(" --from=").append(img.reference());
        }
        for (String s : sources) {
            text.append(' ').append(s);
        }
        for (InlineSource s : inline) {
            text.append(" <<").append(s.name());
        }
        text.append(' ').append(dest);
        steps.add(new Step.Copy(line, add, source, sources, inline, dest, chown, chmod, link, excludes, parents,
                keepGitDir, checksum, unpack, context(), text.toString()));
    }

    /** A COPY/ADD destination made absolute against the working directory; a trailing slash is kept. */
    private String resolveDestination(String dest) {
        String p = dest.equals(".") || dest.isEmpty() ? "./" : dest;
        boolean trailing = p.endsWith("/") || p.endsWith("/.");
        String base = workdir.isEmpty() ? "/" : workdir;
        String joined = p.startsWith("/") ? p : base + "/" + p;
        String clean = cleanPath(joined);
        return trailing && !clean.equals("/") ? clean + "/" : clean;
    }

    /** WORKDIR: a relative path is taken from the current one; the result is a clean absolute path. */
    static String normalizeWorkdir(String current, String requested) {
        if (requested.startsWith("/")) {
            return cleanPath(requested);
        }
        return cleanPath("/" + current + "/" + requested);
    }

    /** Go's {@code path.Clean} for absolute paths: no empty, {@code .} or {@code ..} components. */
    static String cleanPath(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return "/" + String.join("/", parts);
    }

    /** Small JSON rendering for history texts, as the reference writes {@code CMD ["a","b"]}. */
    static final class JsonText {
        private JsonText() {
        }

        static String array(List<String> items) {
            StringBuilder b = new StringBuilder("[");
            for (int k = 0; k < items.size(); k++) {
                if (k > 0) {
                    b.append(' ');
                }
                b.append('"');
                for (char c : items.get(k).toCharArray()) {
                    if (c == '"' || c == '\\') {
                        b.append('\\');
                    }
                    b.append(c);
                }
                b.append('"');
            }
            return b.append(']').toString();
        }
    }
}
