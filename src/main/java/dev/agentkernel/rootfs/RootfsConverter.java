package dev.agentkernel.rootfs;

import dev.agentkernel.errors.AgentkernelException;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.ext4.Ext4Exception;
import dev.agentkernel.ext4.Ext4Options;
import dev.agentkernel.ext4.Ext4Result;
import dev.agentkernel.ext4.Ext4Writer;
import dev.agentkernel.ext4.Timestamp;
import dev.agentkernel.image.Digest;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.ImageRunConfig;
import dev.agentkernel.image.source.ImageSource;
import dev.agentkernel.image.source.ImageSources;
import dev.agentkernel.image.source.SourceOptions;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.layer.FlatTree;
import dev.agentkernel.layer.FlattenListener;
import dev.agentkernel.layer.Flattener;
import dev.agentkernel.layer.LayerSource;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageOrigin;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts an image into a bootable ext4 root filesystem: resolve the source, flatten the layers straight into
 * the ext4 writer, inject what the guest needs, and cache the result by content. The Java API behind
 * {@code agentkernel rootfs} and {@code agentkernel run}.
 */
public final class RootfsConverter {
    /** Inodes left free per byte of free space: mke2fs's default inode ratio. */
    private static final long BYTES_PER_FREE_INODE = 16384;
    private static final long MIN_FREE_INODES = 4096;

    private final AgentkernelHome home;
    private final RootfsCache cache;

    public RootfsConverter(AgentkernelHome home) {
        this.home = home;
        this.cache = new RootfsCache(home);
    }

    public RootfsResult convert(SourceSpec spec, RootfsOptions options) {
        return convert(spec, options, ConversionListener.NONE);
    }

    public RootfsResult convert(SourceSpec spec, RootfsOptions options, ConversionListener listener) {
        long started = System.nanoTime();
        AgentBinary agent = AgentBinary.resolve(options.agent());
        if (options.output().isEmpty() && options.useCache()) {
            Optional<RootfsResult> hit = cachedBuiltImage(spec, agent, options, started);
            if (hit.isPresent()) {
                return hit.get();
            }
        }
        try (ImageSource source = ImageSources.open(spec, new SourceOptions(options.platform(), home))) {
            Image image = source.image();
            listener.imageResolved(image);
            image.config().platform().filter(p -> !options.platform().accepts(p)).ifPresent(p -> listener.warning(
                    "the image is for " + p + ", not " + options.platform() + "; it will not run on such a machine"));
            Timestamp time = defaultTimestamp();
            OutputMarkers.sweep(home); // what killed runs writing a file with -o left, wherever it was
            dev.agentkernel.store.TemporaryFiles.sweep(home.tmp(), "export-*.tar"); // and killed engine exports
            if (options.output().isPresent()) {
                Path target = options.output().get().toAbsolutePath();
                requireParent(target);
                Ext4Writer.sweepTemporaries(target); // what killed runs writing the same file left (before markers)
                Path marker = OutputMarkers.mark(home, target);
                Built built;
                try {
                    built = build(image, agent, options, time, target, listener);
                } finally {
                    OutputMarkers.unmark(marker);
                }
                return result(target, built.result.sizeBytes(), built.entries, image.manifestDigest(), false, started,
                        ImageRunConfig.of(image.config()), null);
            }
            return cached(spec, image, agent, options, time, listener, started);
        }
    }

    /**
     * A cache hit for a locally built image without exporting it from its engine, which costs a full
     * {@code podman save} of the image. The engine's image id is the config digest, which fixes every layer's
     * content (through its diff_ids), so an entry converted from that image id is this image's rootfs; the key
     * is recomputed from the entry's manifest digest with today's agent and options.
     */
    private Optional<RootfsResult> cachedBuiltImage(SourceSpec spec, AgentBinary agent, RootfsOptions options,
                                                    long started) {
        if (!(spec instanceof SourceSpec.LocalImage local)) {
            return Optional.empty();
        }
        Optional<ImageRecord> record = new ImageStore(home).get(local.name());
        if (record.isEmpty() || record.get().origin() != ImageOrigin.BUILT) {
            return Optional.empty();
        }
        String imageId = record.get().id().toString();
        long seconds = defaultTimestamp().seconds();
        Map<String, RootfsCache.Cached> byKey = new HashMap<>();
        cache.list().forEach(c -> byKey.put(c.entry().key(), c));
        for (RootfsCache.Cached candidate : byKey.values()) {
            if (imageId.equals(candidate.entry().imageId())) {
                Digest manifest = Digest.parse(candidate.entry().manifestDigest());
                RootfsCache.Cached hit = byKey.get(CacheKey.of(manifest, agent, options, seconds));
                if (hit != null) {
                    return Optional.of(reuse(hit, manifest, started));
                }
            }
        }
        return Optional.empty();
    }

    private RootfsResult cached(SourceSpec spec, Image image, AgentBinary agent, RootfsOptions options, Timestamp time,
                                ConversionListener listener, long started) {
        String key = CacheKey.of(image.manifestDigest(), agent, options, time.seconds());
        if (options.useCache()) {
            Optional<RootfsCache.Cached> hit = cache.lookup(key);
            if (hit.isPresent()) {
                return reuse(hit.get(), image.manifestDigest(), started);
            }
        }
        try {
            Files.createDirectories(home.rootfs());
        } catch (IOException e) {
            throw new ImageException("cannot create the rootfs cache " + home.rootfs() + ": " + e.getMessage(), e);
        }
        try (FileLocks.Held lock = lockWaiting(key, listener)) {
            if (options.useCache()) {
                Optional<RootfsCache.Cached> done = cache.lookup(key); // another process converted meanwhile
                if (done.isPresent()) {
                    return reuse(done.get(), image.manifestDigest(), started);
                }
            }
            List<String> users = new RootfsPins(home).users(key);
            if (!users.isEmpty()) {
                throw new UserInputException("cannot replace the cached root file system " + cache.image(key)
                        + " is the base of the disks of sandbox" + (users.size() == 1 ? " " : "es ")
                        + String.join(", ", users) + "; remove them first, or write a new one with -o FILE");
            }
            cache.deleteLeftovers(key);
            Built built = build(image, agent, options, time, cache.image(key), listener);
            cache.store(new CacheEntry(key, spec.toString(), image.manifestDigest().toString(),
                    image.manifest().config().digest().toString(), agent == null ? null : agent.digest().toString(),
                    InitScript.VERSION, built.result.sizeBytes(), built.entries, Instant.now().toString(),
                    ImageRunConfig.of(image.config())));
            return result(cache.image(key), built.result.sizeBytes(), built.entries, image.manifestDigest(), false,
                    started, ImageRunConfig.of(image.config()), key);
        }
    }

    private FileLocks.Held lockWaiting(String key, ConversionListener listener) {
        // Say so when another process holds the key: the wait may be long.
        Thread notice = new Thread(() -> {
            try {
                Thread.sleep(500);
                listener.waitingForOtherConversion();
            } catch (InterruptedException ignored) {
                // got the lock quickly
            }
        });
        notice.setDaemon(true);
        notice.start();
        try {
            return cache.lock(key);
        } finally {
            notice.interrupt();
        }
    }

    private record Built(Ext4Result result, int entries) {
    }

    private Built build(Image image, AgentBinary agent, RootfsOptions options, Timestamp time, Path target,
                        ConversionListener listener) {
        Ext4Options ext4 = ext4Options(image, options, time);
        List<LayerSource> layers = layerSources(image, listener);
        // Ctrl-C or SIGTERM mid-conversion: the writer's own shutdown hook deletes its temporary file.
        try (Ext4Writer writer = Ext4Writer.create(target, ext4)) {
            FlatTree tree = Flattener.flatten(layers, new Ext4ContentSink(writer), new FlattenListener() {
                @Override
                public void layerFinished(int position, LayerSource layer, long compressedBytes, int entries) {
                    listener.layerFinished(image.layers().get(position), entries);
                }
            });
            int entries = RootfsAssembler.assemble(writer, tree, agent, time, listener::warning);
            listener.finishing();
            return new Built(writer.finish(), entries);
        } catch (Ext4Exception e) {
            throw new ImageException("cannot write the root filesystem of " + image.source() + ": "
                    + bounded(e.getMessage()), e);
        } catch (IOException | UncheckedIOException e) {
            throw new ImageException("converting " + image.source() + " failed: " + bounded(e.getMessage()), e);
        } catch (AgentkernelException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ImageException("converting " + image.source() + " failed: " + bounded(e.getMessage()), e);
        }
    }

    /** A message of a lower layer, which may quote an entry's name whole: escaped and bounded. */
    private static String bounded(String message) {
        return Quote.escape(message, 300);
    }

    private static Ext4Options ext4Options(Image image, RootfsOptions options, Timestamp time) {
        Ext4Options.Builder b = Ext4Options.builder()
                .seed(image.manifestDigest().toString().getBytes(StandardCharsets.US_ASCII))
                .journal(true)
                .defaultTimestamp(time)
                .volumeLabel("agentkernel");
        if (options.fixedSizeBytes().isPresent()) {
            b.fixedSizeBytes(options.fixedSizeBytes().get()).freeInodes(MIN_FREE_INODES);
        } else {
            b.freeBytes(options.freeBytes())
                    .freeInodes(Math.max(MIN_FREE_INODES, options.freeBytes() / BYTES_PER_FREE_INODE));
        }
        return b.build();
    }

    private static List<LayerSource> layerSources(Image image, ConversionListener listener) {
        List<LayerSource> sources = new ArrayList<>();
        for (ImageLayer layer : image.layers()) {
            sources.add(new LayerSource(layer.name(), layer.descriptor().mediaType(),
                    () -> new ProgressInputStream(layer.open(), n -> listener.layerBytesRead(layer, n)),
                    layer::verifyUncompressed));
        }
        return sources;
    }

    /** SOURCE_DATE_EPOCH when set (reproducible builds), else the epoch: never the wall clock. */
    static Timestamp defaultTimestamp() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return Timestamp.EPOCH;
        }
        try {
            return Timestamp.ofSeconds(Long.parseLong(epoch.trim()));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("SOURCE_DATE_EPOCH must be a number of seconds, not '" + epoch + "'");
        }
    }

    private static void requireParent(Path target) {
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserInputException("-o " + target + ": the directory " + parent + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new UserInputException("-o " + target + " is a directory; give a file name");
        }
    }

    /** A cache entry as this call's result, marked as used now (prune keeps recently used entries). */
    private RootfsResult reuse(RootfsCache.Cached hit, Digest manifestDigest, long started) {
        cache.touch(hit);
        return result(hit.image(), hit.entry().filesystemBytes(), hit.entry().entries(), manifestDigest, true, started,
                hit.entry().config(), hit.entry().key());
    }

    private static RootfsResult result(Path path, long size, long entries, Digest manifestDigest, boolean hit,
                                       long started, ImageRunConfig config, String key) {
        double seconds = (System.nanoTime() - started) / 1e9;
        return new RootfsResult(path, size, entries, manifestDigest, hit, seconds, config, key);
    }
}
