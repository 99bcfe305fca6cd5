package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.build.dockerfile.RunMount;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.FileLocks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code RUN --mount=type=cache}: a directory that persists from build to build, per cache id (the {@code id}
 * field, else the target), visible at the target during the RUN that mounts it and never part of its layer.
 * Between builds its contents are a layer blob in the blob store, named by a {@link BuildCache} entry of its
 * own; for the first RUN of a build VM that mounts one they are copied into a directory on the VM's /run tmpfs
 * (kept there for its later steps) that {@code agent build-run} bind-mounts at the target, and copied back out
 * after each such RUN (whether the command succeeded or not, as a cache
 * keeps what a failed step downloaded). A cache id is locked for the step, so concurrent builds that share it
 * take turns ({@code sharing=shared} and {@code locked} alike); {@code sharing=private} gets an empty
 * directory that is not kept. A fresh cache directory is made with {@code mode} (0755), {@code uid} and
 * {@code gid} (0). A cache whose blob was collected starts empty. Other mount types are refused.
 */
final class CacheMounts {
    private final BlobStore blobs;
    private final LayerStore layers;
    private final BuildCache cache;
    private final Path locks;

    CacheMounts(AgentkernelHome home, BlobStore blobs, LayerStore layers, BuildCache cache) {
        this.blobs = blobs;
        this.layers = layers;
        this.cache = cache;
        this.locks = home.root().resolve("build-cache").resolve("mounts");
    }

    /** Refuses what the native builder cannot mount, naming the line. */
    static void check(List<RunMount> mounts, int line) {
        if (mounts.size() > 8) {
            throw new DockerfileException(line, "RUN has more than 8 --mount options");
        }
        for (RunMount m : mounts) {
            String type = m.type().name().toLowerCase(java.util.Locale.ROOT);
            if (m.type() != RunMount.Type.CACHE) {
                throw new DockerfileException(line, "RUN --mount=type=" + type + " is not supported by the native"
                        + " builder yet (type=cache is)");
            }
            if (m.target().isEmpty() || m.target().get().isEmpty()) {
                throw new DockerfileException(line, "RUN --mount=type=cache needs a target");
            }
            if (m.from().isPresent() || m.source().isPresent()) {
                throw new DockerfileException(line, "RUN --mount=type=cache with from= or source= is not supported"
                        + " by the native builder");
            }
            if (m.readOnly()) {
                throw new DockerfileException(line, "RUN --mount=type=cache,readonly is not supported by the"
                        + " native builder");
            }
        }
    }

    /** A step's cache mounts, in the VM until {@link #close}, which copies them back and unlocks them. */
    final class Mounted implements AutoCloseable {
        private final BuildVm vm;
        private final List<FileLocks.Held> held = new ArrayList<>();
        private final List<String> keys = new ArrayList<>();
        private final java.util.Set<String> locked = new java.util.HashSet<>();
        private final List<String> dirs = new ArrayList<>();
        final List<BuildVm.Bind> binds = new ArrayList<>();

        private Mounted(BuildVm vm) {
            this.vm = vm;
        }

        /** Copies each cache's contents back out of the VM into its blob (private ones are dropped). */
        void save() {
            for (int i = 0; i < dirs.size(); i++) {
                if (keys.get(i) == null) {
                    continue;
                }
                try (LayerCapture capture = new LayerCapture(blobs.scratchDirectory().resolve("cache-mount-"
                        + dev.agentkernel.store.TemporaryFiles.ownerTag() + "-" + UUID.randomUUID()))) {
                    vm.copyOut(dirs.get(i), capture);
                    List<PlannedEntry> entries = capture.entries();
                    LayerBlob layer = layers.write(tar -> {
                        for (PlannedEntry e : entries) {
                            try (InputStream in = e.open()) {
                                tar.write(e.entry(), in);
                            }
                        }
                    });
                    cache.put(keys.get(i), layer);
                }
            }
        }

        @Override
        public void close() {
            for (FileLocks.Held h : held) {
                h.close();
            }
        }
    }

    Mounted mount(List<RunMount> mounts, BuildVm vm) {
        Mounted mounted = new Mounted(vm);
        try {
            for (RunMount m : mounts) {
                String target = m.target().orElseThrow();
                String id = m.id().filter(s -> !s.isEmpty()).orElse(target);
                boolean keep = m.sharing().orElse(RunMount.Sharing.SHARED) != RunMount.Sharing.PRIVATE;
                String key = BuildCache.key("cache-mount", id);
                Optional<LayerBlob> stored = Optional.empty();
                if (keep && mounted.locked.add(key)) {
                    Files.createDirectories(locks);
                    mounted.held.add(FileLocks.exclusive(locks.resolve(Digest.sha256(id.getBytes(
                            StandardCharsets.UTF_8)).hex() + ".lock")));
                    stored = cache.lookup(key);
                }
                String dir = keep ? vm.cacheDirectories.get(key) : null;
                TreeEntry root = TreeEntry.directory("", (int) m.mode().orElse(0755), m.uid().orElse(0),
                        m.gid().orElse(0), 0);
                if (dir != null) {
                    // this VM has it from an earlier step, as that step left it (and saved it): one copy on its
                    // tmpfs per cache, however many steps mount it
                } else if (stored.isPresent()) {
                    dir = vm.newDirectory("cache");
                    try (LayerReader reader = LayerReader.read(blobs, stored.get())) {
                        vm.copyTree(dir, root, reader.entries());
                    }
                } else {
                    dir = vm.newDirectory("cache");
                    vm.copyTree(dir, root, List.of());
                }
                if (keep) {
                    vm.cacheDirectories.put(key, dir);
                }
                mounted.keys.add(keep ? key : null);
                mounted.dirs.add(dir);
                mounted.binds.add(new BuildVm.Bind(dir, target.startsWith("/") ? target : "/" + target));
            }
            return mounted;
        } catch (IOException e) {
            mounted.close();
            throw new UncheckedIOException("cannot prepare the RUN's cache mounts: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            mounted.close();
            throw e;
        }
    }
}
