package dev.agentkernel.image.source;

import dev.agentkernel.errors.UserInputException;

/** A bare NAME: an image of agentkernel's own image store. */
final class LocalImageSource {
    private LocalImageSource() {
    }

    static ImageSource open(SourceSpec.LocalImage spec, SourceOptions options) {
        // Wired to dev.agentkernel.store.ImageStore once the store package has it on main.
        throw new UserInputException("no local image named '" + spec.name() + "' (the local image store is not in "
                + "this build yet); use oci:DIR, oci-archive:FILE or docker-archive:FILE");
    }
}
