package dev.agentkernel.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.build.BuildSpec;
import dev.agentkernel.build.dockerfile.BuildOptions;
import dev.agentkernel.build.dockerfile.BuildPlan;
import dev.agentkernel.build.dockerfile.BuildPlan.StagePlan;
import dev.agentkernel.build.dockerfile.DockerIgnore;
import dev.agentkernel.build.dockerfile.Dockerfile;
import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.build.dockerfile.ExecContext;
import dev.agentkernel.build.dockerfile.ImageSettings;
import dev.agentkernel.build.dockerfile.Instruction;
import dev.agentkernel.build.dockerfile.StageEvaluator;
import dev.agentkernel.build.dockerfile.Step;
import dev.agentkernel.image.Digest;
import dev.agentkernel.layer.LayerSource;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Builds a Dockerfile without a container engine. The stages the target needs are built in order; in each,
 * COPY/ADD from the context and WORKDIR are layers written on the host, config instructions change the config
 * only, and RUN steps execute in one build VM per stage (booted at the stage's first RUN that the cache does
 * not have), each on an overlay whose upper directory becomes the step's layer. Every step is looked up in the
 * {@link BuildCache} first. The image (config, manifest, layers) goes to the blob store and its record to the
 * image store only once everything has worked, so a failed build leaves the store's images as they were.
 */
public final class NativeBuilder {
    private final AgentkernelHome home;
    private final SandboxService sandboxes;
    private final Consumer<String> log;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final BuildCache cache;
    private final CacheMounts cacheMounts;
    private final Map<String, BaseImage> bases = new HashMap<>();
    private NetworkOptions network = NetworkOptions.defaults();
    private final RemoteFile remote = new RemoteFile();

    public NativeBuilder(AgentkernelHome home, Map<String, String> env, Consumer<String> log) {
        this.home = home;
        this.sandboxes = new SandboxService(home, env);
        this.log = log;
        this.blobs = BlobStore.of(home);
        this.layers = new LayerStore(blobs);
        this.cache = new BuildCache(home, blobs);
        this.cacheMounts = new CacheMounts(home, blobs, layers, cache);
    }

    /** Builds and stores the image; returns its record. */
    public ImageRecord build(NativeBuildRequest request) {
        BuildSpec spec = request.spec();
        network = NetworkOptions.parse(false, request.network(), List.of(), List.of(), false, List.of());
        Dockerfile file = Dockerfile.read(spec.dockerfile());
        DockerIgnore ignore = DockerIgnore.forBuild(spec.context(), spec.dockerfile());
        BuildOptions options = new BuildOptions(spec.buildArgs(), Optional.ofNullable(spec.target()),
                request.platform(), request.platform());
        BuildPlan plan = StageEvaluator.evaluate(file, options,
                (ref, platform) -> ImageJson.settings(base(ref, platform).config()));
        plan.warnings().forEach(w -> log.accept("warning: " + w));
        List<String> unused = plan.unusedBuildArgs().stream()
                .filter(a -> !a.equals(NativeBuildRequest.SOURCE_DATE_EPOCH)).sorted().toList();
        if (!unused.isEmpty()) {
            log.accept("warning: build args not consumed by any ARG: " + String.join(", ", unused));
        }
        Map<Integer, StageResult> done = new HashMap<>();
        Map<Integer, String> keys = new HashMap<>();
        for (StagePlan stage : plan.stages()) {
            StageBuild build = new StageBuild(stage, request, ignore, done, keys);
            done.put(stage.index(), build.run());
            keys.put(stage.index(), build.chain);
        }
        StageResult target = done.get(plan.target().index());
        return store(spec, request, plan.target(), target);
    }

    private BaseImage base(String reference, dev.agentkernel.image.Platform platform) {
        return bases.computeIfAbsent(reference + "|" + platform, k -> BaseImage.open(reference, platform, home));
    }

    private ImageRecord store(BuildSpec spec, NativeBuildRequest request, StagePlan stage, StageResult result) {
        Instant created = Instant.ofEpochSecond(request.createdEpochSeconds());
        List<Digest> diffIds = result.layers().stream().map(LayerBlob::diffId).toList();
        ImageSettings settings = stage.config().withLabels(spec.labels());
        byte[] config = ImageJson.config(result.baseConfig(), settings, stage.platform(), diffIds,
                result.history(), created);
        Digest configDigest = blobs.put(config);
        byte[] manifest = ImageJson.manifest(configDigest, config.length, result.layers(), Map.of());
        Digest manifestDigest = blobs.put(manifest);
        long size = config.length + manifest.length + result.layers().stream().mapToLong(LayerBlob::size).sum();
        ImageStore store = new ImageStore(home);
        try (FileLocks.Held ignored = store.lockName(spec.name().value())) {
            ImageRecord record = ImageRecord.builtNatively(spec.name(), configDigest, size,
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), settings.labels(),
                    new ImageRecord.BuildInfo("native", "native:" + spec.name().value(), spec.dockerfile(),
                            spec.context()),
                    manifestDigest, stage.platform().toString());
            store.put(record);
            return record;
        }
    }

    /** One stage being built. */
    private final class StageBuild {
        private final StagePlan stage;
        private final NativeBuildRequest request;
        private final DockerIgnore ignore;
        private final Map<Integer, StageResult> done;
        private final List<LayerBlob> stageLayers = new ArrayList<>();
        private final List<ImageJson.History> history = new ArrayList<>();
        private final String bootSource;
        private final int bootLayers;
        private final JsonNode baseConfig;
        private final StateTree state;
        /** Layers the VM does not have yet (above the boot image): made on the host or found in the cache. */
        private final List<LayerBlob> pendingInVm = new ArrayList<>();
        private final Map<Digest, List<PlannedEntry>> madeHere = new HashMap<>();
        private String chain;
        private BuildVm vm;
        private int stepNumber;

        StageBuild(StagePlan stage, NativeBuildRequest request, DockerIgnore ignore, Map<Integer, StageResult> done,
                   Map<Integer, String> keys) {
            this.stage = stage;
            this.request = request;
            this.ignore = ignore;
            this.done = done;
            BuildPlan.Base b = stage.base();
            if (b instanceof BuildPlan.Base.Stage s) {
                StageResult parent = done.get(s.index());
                bootSource = parent.bootSource();
                bootLayers = parent.bootLayers();
                stageLayers.addAll(parent.layers());
                history.addAll(parent.history());
                baseConfig = parent.baseConfig();
                state = parent.state().copy();
                pendingInVm.addAll(parent.layers().subList(parent.bootLayers(), parent.layers().size()));
                chain = keys.get(s.index());
            } else if (b instanceof BuildPlan.Base.Image img) {
                BaseImage base = base(img.reference(), stage.platform());
                bootSource = base.source();
                bootLayers = base.layers().size();
                stageLayers.addAll(base.layers());
                baseConfig = base.config();
                state = StateTree.of(sources(base.layers()));
                chain = BuildCache.key("base", base.layers().stream().map(l -> l.diffId().toString())
                        .reduce("", (x, y) -> x + "," + y), ImageJson.bytes(base.config().path("config")).length + ""
                        + new String(ImageJson.bytes(base.config().path("config")), StandardCharsets.UTF_8));
            } else {
                bootSource = null;
                bootLayers = 0;
                baseConfig = null;
                state = StateTree.empty();
                chain = BuildCache.key("scratch", stage.platform().toString());
            }
        }

        StageResult run() {
            try {
                for (Step step : stage.steps()) {
                    stepNumber++;
                    log.accept(prefix(step) + step.createdBy());
                    if (step instanceof Step.Run run) {
                        run(run);
                    } else if (step instanceof Step.Copy copy) {
                        copy(copy);
                    } else if (step instanceof Step.Workdir workdir) {
                        workdir(workdir);
                    } else {
                        chain = BuildCache.key(chain, "config", step.createdBy());
                        history.add(new ImageJson.History(step.createdBy(), true));
                    }
                }
                return new StageResult(bootSource, bootLayers, stageLayers, baseConfig, history, stage.config(), state);
            } finally {
                if (vm != null) {
                    vm.close();
                }
            }
        }

        private String prefix(Step step) {
            return "[" + stage.name().orElse("stage " + stage.index()) + " " + stepNumber + "/" + stage.steps().size()
                    + "] ";
        }

        private void copy(Step.Copy copy) {
            long epoch = request.createdEpochSeconds();
            List<PlannedEntry> entries;
            StageFiles files = null;
            CopyPlanner planner = null;
            try {
                CopySource source;
                if (copy.source() instanceof Step.Source.Stage from) {
                    StageResult other = done.get(from.index());
                    files = StageFiles.of(sources(other.layers()), blobs.scratchDirectory());
                    source = new StageSource(files, "stage " + from.index());
                } else if (copy.source() instanceof Step.Source.Image img) {
                    BaseImage image = base(img.reference(), stage.platform());
                    files = StageFiles.of(sources(image.layers()), blobs.scratchDirectory());
                    source = new StageSource(files, "image " + img.reference());
                } else {
                    source = new ContextSource(request.spec().context(), ignore);
                }
                planner = new CopyPlanner(source, epoch, blobs.scratchDirectory(), remote);
                entries = planner.plan(copy, state);
                String key = BuildCache.key(chain, "copy", copy.createdBy(), contentDigest(entries));
                // an ADD's unpacked archives and downloads are spooled until the planner closes, a stage's or an
                // image's files until they close: for those the VM reads the layer's blob later
                addLayer(key, copy.createdBy(), entries, files == null && !adds(copy));
            } finally {
                if (planner != null) {
                    planner.close();
                }
                if (files != null) {
                    files.close();
                }
            }
        }

        /** Whether an ADD has sources whose bytes live in the planner's spool only (URLs, or maybe an archive). */
        private boolean adds(Step.Copy copy) {
            return copy.add() && !copy.sources().isEmpty();
        }

        private void workdir(Step.Workdir workdir) {
            String path = state.resolve(workdir.path(), true);
            chain = BuildCache.key(chain, "workdir", workdir.createdBy());
            if (path.isEmpty() || state.isDirectory(path)) {
                history.add(new ImageJson.History(workdir.createdBy(), true));
                return;
            }
            Ownership owner = Ownership.forUser(workdir.user(), state, workdir.line());
            List<PlannedEntry> entries = new ArrayList<>();
            for (String p = path; !p.isEmpty(); p = CopyPlanner.parent(p)) {
                entries.add(0, PlannedEntry.of(state.isDirectory(p) ? state.get(p).orElseThrow()
                        : TreeEntry.directory(p, 0755, owner.uid(), owner.gid(), request.createdEpochSeconds())));
            }
            addLayer(BuildCache.key(chain, "mkdir", workdir.user()), workdir.createdBy(), entries, true);
        }

        /**
         * A layer made on the host: from the cache, or written now. {@code reusable}: the entries' content can
         * still be read later (when the VM boots); otherwise the VM gets the layer from its blob.
         */
        private void addLayer(String key, String createdBy, List<PlannedEntry> entries, boolean reusable) {
            Optional<LayerBlob> cached = request.spec().noCache() ? Optional.empty() : cache.lookup(key);
            LayerBlob layer = cached.orElseGet(() -> {
                LayerBlob made = layers.write(tar -> {
                    for (PlannedEntry e : entries) {
                        try (InputStream in = e.open()) {
                            tar.write(e.entry(), in);
                        }
                    }
                });
                cache.put(key, made);
                return made;
            });
            if (cached.isPresent()) {
                log.accept("  cached " + layer.digest().shortHex());
            }
            state.apply(entries.stream().map(PlannedEntry::entry).toList(), e -> readSmall(entries, e));
            if (reusable) {
                madeHere.put(layer.digest(), entries);
            }
            accept(key, createdBy, layer);
            if (vm != null) {
                vm.materialize(entries);
            } else {
                pendingInVm.add(layer);
            }
        }

        private void accept(String key, String createdBy, LayerBlob layer) {
            chain = key;
            stageLayers.add(layer);
            history.add(new ImageJson.History(createdBy, false));
        }

        private void run(Step.Run run) {
            if (run.network() == Instruction.Network.HOST) {
                throw new DockerfileException(run.line().start(), "RUN --network=host: a build VM has no host network"
                        + " to share; use the default or none");
            }
            CacheMounts.check(run.mounts(), run.line().start());
            ExecContext ctx = run.context();
            String key = BuildCache.key(chain, "run", run.createdBy(), run.network().name(), String.join("\0", run.argv()),
                    String.join("\0", ctx.env()), ctx.user(), ctx.workdir(), String.join("\0", ctx.shell()),
                    files(run), run.mounts().toString());
            if (!request.spec().noCache()) {
                Optional<LayerBlob> cached = cache.lookup(key);
                if (cached.isPresent()) {
                    log.accept("  cached " + cached.get().digest().shortHex());
                    try (LayerReader reader = LayerReader.read(blobs, cached.get())) {
                        state.apply(reader.entries().stream().map(PlannedEntry::entry).toList(),
                                e -> reader.small(e.path()));
                        if (vm != null) {
                            vm.materialize(reader.entries());
                        } else {
                            pendingInVm.add(cached.get());
                        }
                    }
                    accept(key, run.createdBy(), cached.get());
                    return;
                }
            }
            ensureVm(run);
            Map<String, String> env = new LinkedHashMap<>();
            for (String e : ctx.env()) {
                int eq = e.indexOf('=');
                env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
            env.putAll(run.proxyEnv());
            env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            boolean setHome = !env.containsKey("HOME");
            List<String> argv = run.argv();
            vm.provide(run.files());
            StepOutput out = new StepOutput("  ", log);
            BuildVm.RunOutcome outcome;
            try (CacheMounts.Mounted mounted = cacheMounts.mount(run.mounts(), vm)) {
                outcome = vm.run(argv, env, ctx.user(), ctx.workdir(), setHome,
                        run.network() == Instruction.Network.NONE, mounted.binds, out, out);
                out.finish();
                mounted.save();
            }
            ExitStatus status = outcome.status();
            if (status.exitCode() != 0) {
                throw new BuildStepException(run.line().start(), run.createdBy(), status.exitCode(), out.tail());
            }
            try (LayerCapture capture = new LayerCapture(blobs.scratchDirectory().resolve("capture-"
                    + dev.agentkernel.store.TemporaryFiles.ownerTag() + "-" + UUID.randomUUID()))) {
                vm.capture(outcome, capture);
                List<PlannedEntry> entries = capture.entries();
                LayerBlob layer = layers.write(tar -> {
                    for (PlannedEntry e : entries) {
                        try (InputStream in = e.open()) {
                            tar.write(e.entry(), in);
                        }
                    }
                });
                cache.put(key, layer);
                state.apply(entries.stream().map(PlannedEntry::entry).toList(), e -> readSmall(entries, e));
                accept(key, run.createdBy(), layer);
            }
        }

        private String files(Step.Run run) {
            StringBuilder s = new StringBuilder();
            for (Step.InlineFile f : run.files()) {
                s.append(f.path()).append('\0').append(f.mode()).append('\0').append(f.content()).append('\0');
            }
            return s.toString();
        }

        private void ensureVm(Step.Run run) {
            if (vm != null) {
                return;
            }
            if (bootSource == null) {
                throw new DockerfileException(run.line().start(), "RUN in a stage built FROM scratch: the native"
                        + " builder boots its build VM from the stage's base image, and scratch has none");
            }
            if (!dev.agentkernel.image.Platform.host().accepts(stage.platform())) {
                throw new DockerfileException(run.line().start(), "RUN for " + stage.platform() + ": the build VM"
                        + " runs " + dev.agentkernel.image.Platform.host() + " programs only (there is no emulation of"
                        + " another architecture); build for " + dev.agentkernel.image.Platform.host()
                        + " or drop the RUN steps");
            }
            log.accept("  booting the build VM from " + bootSource);
            vm = BuildVm.boot(sandboxes, bootSource, network, ConversionListener.NONE);
            for (LayerBlob layer : pendingInVm) {
                List<PlannedEntry> entries = madeHere.get(layer.digest());
                if (entries != null) {
                    vm.materialize(entries);
                } else {
                    try (LayerReader reader = LayerReader.read(blobs, layer)) {
                        vm.materialize(reader.entries());
                    }
                }
            }
            pendingInVm.clear();
        }
    }

    private static byte[] readSmall(List<PlannedEntry> entries, TreeEntry e) {
        for (PlannedEntry p : entries) {
            if (p.entry() == e) {
                if (e.size() > 1 << 20) {
                    return null;
                }
                try (InputStream in = p.open()) {
                    return in.readNBytes((int) e.size());
                } catch (IOException ex) {
                    return null;
                }
            }
        }
        return null;
    }

    private List<LayerSource> sources(List<LayerBlob> blobsOfImage) {
        List<LayerSource> out = new ArrayList<>();
        int n = 0;
        for (LayerBlob l : blobsOfImage) {
            n++;
            out.add(new LayerSource("layer " + n + " (" + l.digest().shortHex() + ")", l.mediaType(),
                    () -> blobs.open(l.digest())));
        }
        return out;
    }

    /** The digest of a layer's planned entries: every field and every byte. */
    static String contentDigest(List<PlannedEntry> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (PlannedEntry p : entries) {
                TreeEntry e = p.entry();
                md.update((e.path() + "\0" + e.kind() + "\0" + e.mode() + "\0" + e.uid() + "\0" + e.gid() + "\0"
                        + e.mtimeSeconds() + "." + e.mtimeNanos() + "\0" + e.size() + "\0" + e.linkTarget() + "\0")
                        .getBytes(StandardCharsets.UTF_8));
                if (e.kind() == TreeEntry.Kind.FILE) {
                    try (InputStream in = p.open()) {
                        for (int r; (r = in.read(buf)) > 0; ) {
                            md.update(buf, 0, r);
                        }
                    }
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the files to copy: " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
