package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code e2fsck -fn}: the image must be clean. */
public final class Ext4Check {
    private Ext4Check() {
    }

    public static void assertClean(Path image) throws IOException, InterruptedException {
        Path e2fsck = RequiredTools.require("e2fsck");
        TestProcess.Result r = TestProcess.runAllowingFailure(List.of(e2fsck.toString(), "-fn", image.toString()),
                Duration.ofMinutes(2));
        if (r.exitCode() != 0) {
            throw new AssertionError("e2fsck -fn " + image + " exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
    }
}
