package dev.agentkernel.vm;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the kernel to boot: {@code --kernel PATH}, else {@code $AGENTKERNEL_KERNEL}, else the newest
 * {@code /boot/vmlinuz-*}. Its release comes from the file name {@code vmlinuz-<release>}.
 */
public final class KernelLocator {
    public static final String ENVIRONMENT_VARIABLE = "AGENTKERNEL_KERNEL";

    private final Path bootDir;
    private final Path modulesRoot;
    private final Map<String, String> env;

    public KernelLocator(Path bootDir, Path modulesRoot, Map<String, String> env) {
        this.bootDir = bootDir;
        this.modulesRoot = modulesRoot;
        this.env = env;
    }

    public static KernelLocator system() {
        return new KernelLocator(Path.of("/boot"), Path.of("/lib/modules"), System.getenv());
    }

    /** The kernel named by {@code explicit} (may be null), the environment, or the newest in /boot. */
    public Kernel locate(Path explicit) {
        if (explicit != null) {
            return describe(explicit, "--kernel");
        }
        String fromEnv = env.get(ENVIRONMENT_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return describe(Path.of(fromEnv), "$" + ENVIRONMENT_VARIABLE);
        }
        List<Path> candidates;
        try (Stream<Path> files = Files.exists(bootDir) ? Files.list(bootDir) : Stream.empty()) {
            candidates = files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> new ReleaseOrder(release(p))).reversed())
                    .toList();
        } catch (IOException e) {
            throw new VmException("cannot list " + bootDir + ": " + e.getMessage(), e);
        }
        if (candidates.isEmpty()) {
            throw new VmException("no kernel found: pass --kernel PATH or set $" + ENVIRONMENT_VARIABLE
                    + " (none in " + bootDir + "; on Debian, apt-get install linux-image-cloud-amd64)");
        }
        return describe(candidates.get(0), bootDir.toString());
    }

    private Kernel describe(Path image, String origin) {
        Path absolute = image.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new UserInputException("kernel " + image + " (from " + origin + ") does not exist or is not a file");
        }
        String release = release(absolute);
        Path config = null;
        Path modules = null;
        if (release != null) {
            Path besideConfig = absolute.resolveSibling("config-" + release);
            Path bootConfig = bootDir.resolve("config-" + release);
            config = Files.isRegularFile(besideConfig) ? besideConfig : Files.isRegularFile(bootConfig) ? bootConfig : null;
            Path dir = modulesRoot.resolve(release);
            modules = Files.isDirectory(dir) ? dir : null;
        }
        return new Kernel(absolute, release, config, modules);
    }

    /** {@code vmlinuz-6.1.0-56-cloud-amd64} gives {@code 6.1.0-56-cloud-amd64}; other names give null. */
    static String release(Path image) {
        String name = image.getFileName().toString();
        return name.startsWith("vmlinuz-") ? name.substring("vmlinuz-".length()) : null;
    }

    /** Orders releases by their numeric parts, so 6.10 is newer than 6.9. */
    record ReleaseOrder(String release) implements Comparable<ReleaseOrder> {
        @Override
        public int compareTo(ReleaseOrder other) {
            String[] a = release.split("[^0-9]+");
            String[] b = other.release.split("[^0-9]+");
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                int c = compareNumbers(a[i], b[i]);
                if (c != 0) {
                    return c;
                }
            }
            return a.length != b.length ? Integer.compare(a.length, b.length) : release.compareTo(other.release);
        }

        private static int compareNumbers(String x, String y) {
            if (x.isEmpty() || y.isEmpty()) {
                return x.compareTo(y);
            }
            String xs = x.replaceFirst("^0+(?=.)", "");
            String ys = y.replaceFirst("^0+(?=.)", "");
            return xs.length() != ys.length() ? Integer.compare(xs.length(), ys.length()) : xs.compareTo(ys);
        }
    }
}
