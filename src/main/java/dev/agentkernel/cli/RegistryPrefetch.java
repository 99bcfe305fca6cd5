package dev.agentkernel.cli;

import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.Platform;
import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.registry.PullService;
import dev.agentkernel.registry.RegistryOptions;
import dev.agentkernel.store.AgentkernelHome;

import java.io.PrintWriter;
import java.time.Clock;

/**
 * For commands that take an image SOURCE: a {@code docker://REF} is pulled first, with the same progress
 * output as {@code pull}, so a long download is visible; the command then goes on with the pulled image by its
 * name in the image store. Other sources pass through unchanged.
 */
final class RegistryPrefetch {
    private RegistryPrefetch() {
    }

    static SourceSpec pullIfRegistry(SourceSpec source, Platform platform, AgentkernelHome home, PrintWriter err) {
        if (!(source instanceof SourceSpec.Registry registry)) {
            return source;
        }
        ImageReference reference = ImageReference.parse(registry.reference());
        PullProgress progress = new PullProgress(err, System.console() != null);
        try {
            new PullService(home, RegistryOptions.defaults(), Clock.systemUTC()).pull(reference, platform, progress);
        } finally {
            progress.close();
        }
        return new SourceSpec.LocalImage(PullService.nameOf(reference));
    }
}
