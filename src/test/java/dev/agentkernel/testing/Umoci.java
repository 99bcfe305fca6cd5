package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The reference unpacker: {@code umoci raw unpack} of an OCI layout, as root (ownership, devices, xattrs). */
public final class Umoci {
    private Umoci() {
    }

    /** Unpacks {@code layout:tag} into {@code rootfs} (which must not exist yet) and returns it. */
    public static Path unpack(Path layout, String tag, Path rootfs) throws IOException, InterruptedException {
        Path umoci = RequiredTools.require("umoci");
        RequiredTools.requireRoot();
        TestProcess.run(List.of(umoci.toString(), "raw", "unpack", "--image", layout + ":" + tag, rootfs.toString()),
                Duration.ofMinutes(2));
        return rootfs;
    }
}
