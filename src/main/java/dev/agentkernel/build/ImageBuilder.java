package dev.agentkernel.build;

import dev.agentkernel.engine.BuildRequest;
import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.ImageInfo;
import dev.agentkernel.errors.ToolException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.FileLocks;
import dev.agentkernel.store.ImageRecord;
import dev.agentkernel.store.ImageStore;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds a Dockerfile through a container engine as {@code agentkernel-NAME} and records the result in the image
 * store. Builds of one name are serialized by the name's lock, so the metadata always describes the image the
 * tag points to; builds of different names run side by side.
 */
public final class ImageBuilder {
    public static final String MANAGED_LABEL = "agentkernel.managed";
    public static final String NAME_LABEL = "agentkernel.name";

    private final ImageStore store;
    private final Clock clock;

    public ImageBuilder(ImageStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public ImageBuilder(ImageStore store) {
        this(store, Clock.systemUTC());
    }

    /**
     * Runs the build, streaming the engine's output lines to {@code output}, and stores the metadata. On failure
     * the store is left as it was.
     */
    public ImageRecord build(BuildSpec spec, ContainerEngine engine, Consumer<String> output) {
        String tag = spec.name().engineReference();
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(MANAGED_LABEL, "true");
        labels.put(NAME_LABEL, spec.name().value());
        BuildRequest request = new BuildRequest(tag, spec.context(), spec.dockerfile(), spec.buildArgs(),
                spec.target(), spec.noCache(), labels, spec.platform() == null ? null : spec.platform().toString());
        try (FileLocks.Held ignored = store.lockName(spec.name().value())) {
            Digest id = engine.build(request, output);
            ImageInfo info = engine.inspect(tag);
            if (!info.id().equals(id)) {
                throw new ToolException(engine.name() + " built " + id + " but " + tag + " now names " + info.id()
                        + "; was it re-tagged meanwhile? Build again.");
            }
            ImageRecord record = ImageRecord.built(spec.name(), id, info.size(),
                    Instant.now(clock).truncatedTo(ChronoUnit.MILLIS), info.labels(),
                    new ImageRecord.BuildInfo(engine.name(), tag, spec.dockerfile(), spec.context()));
            store.put(record);
            return record;
        }
    }
}
