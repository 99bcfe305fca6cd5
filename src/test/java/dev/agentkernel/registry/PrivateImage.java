package dev.agentkernel.registry;

import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * For the authentication tests: one small image, built with Podman and pushed by skopeo with a user name and
 * password into a real registry that wants credentials. {@link #close} stops the registry and removes the image.
 */
final class PrivateImage implements AutoCloseable {
    private static final Duration PUSH_TIMEOUT = Duration.ofMinutes(3);

    /** Starts a registry in a folder it is given. */
    interface RegistryStarter {
        LocalRegistry start(Path dir) throws IOException;
    }

    private final BusyboxImages images;
    private LocalRegistry registry;
    private String reference;

    private PrivateImage(Path work) {
        this.images = new BusyboxImages(work);
    }

    /** Builds an image holding {@code /NAME}, starts the registry and pushes the image as {@code REPOSITORY:1}. */
    static PrivateImage push(Path work, RegistryStarter starter, String repository, String name, String user,
                             String password) throws IOException {
        PrivateImage image = new PrivateImage(work);
        try {
            image.registry = starter.start(Files.createDirectories(work.resolve("registry")));
            String tag = image.images.build("RUN echo " + name + " > /" + name);
            image.reference = image.registry.address() + "/" + repository + ":1";
            ExternalCommand.run(PUSH_TIMEOUT, "skopeo", "copy", "-q", "--dest-tls-verify=false", "--dest-creds",
                    user + ":" + password, "containers-storage:" + tag, "docker://" + image.reference);
            return image;
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    LocalRegistry registry() {
        return registry;
    }

    /** {@code 127.0.0.1:PORT/REPOSITORY:1}. */
    String reference() {
        return reference;
    }

    @Override
    public void close() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            images.close();
        }
    }
}
