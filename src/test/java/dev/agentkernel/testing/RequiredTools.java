package dev.agentkernel.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds outside programs that integration tests need. Locally a missing program skips the test; under
 * {@code CI=true} it fails it, because CI installs everything through {@code scripts/install-deps}.
 */
public final class RequiredTools {
    private RequiredTools() {
    }

    /** The absolute path of {@code program} on PATH (or /usr/sbin, /sbin), or a skip/failure as above. */
    public static Path require(String program) {
        Path found = find(program);
        if (found == null) {
            unavailable(program + " is not installed (scripts/install-deps installs it)");
        }
        return found;
    }

    /** Something a test needs is missing from this machine: a failure under CI, else a skip. Never returns. */
    public static void unavailable(String message) {
        if (isCi()) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    /** Requires that the tests run as root (loop mounts, podman without rootless setup). */
    public static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            if (isCi()) {
                throw new AssertionError("this test needs root");
            }
            Assumptions.abort("this test needs root");
        }
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static Path find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
