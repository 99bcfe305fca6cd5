package dev.agentkernel.testing;

import dev.agentkernel.image.Digest;
import dev.agentkernel.store.FileLocks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real distribution image for sandbox tests: Debian bookworm made from Debian's packages with
 * {@code debootstrap --variant=minbase --include=bash,python3,curl}, plus a user {@value #USER} (uid {@value #UID},
 * primary group {@value #GROUP}, also in {@value #EXTRA_GROUP}), as an OCI layout ({@code oci:DIR:bookworm})
 * whose config has {@code Env} (PATH), {@code WorkingDir} {@value #WORKING_DIR}, {@code Cmd ["bash"]} and no
 * {@code User}.
 *
 * <p>Made once per machine and cached outside the checkout (CI clones it fresh) in
 * {@code /var/tmp/agentkernel-test-cache/} (or {@code $AGENTKERNEL_TEST_CACHE}), under a key of {@link #VERSION}
 * and every input (suite, packages, mirror, user, config). It is built in a temporary directory that is renamed
 * into place when complete, under a file lock, so two test JVMs never both build it and none sees half of it.
 * The build takes minutes (downloads and unpacks ~100 packages); a cached one costs nothing. Needs root,
 * {@code debootstrap} (scripts/install-deps), {@code chroot}, {@code tar} and a Debian mirror in this machine's
 * APT sources.
 */
public final class DebianImage {
    /** Raise when the way the image is made changes: images cached by earlier versions are then not used. */
    static final int VERSION = 1;
    public static final String SUITE = "bookworm";
    public static final String TAG = SUITE;
    public static final List<String> PACKAGES = List.of("bash", "python3", "curl");
    public static final String USER = "tester";
    public static final int UID = 1234;
    public static final String GROUP = "tester";
    public static final int GID = 1234;
    public static final String EXTRA_GROUP = "builders";
    public static final int EXTRA_GID = 2345;
    public static final String WORKING_DIR = "/srv";
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final Path DEFAULT_CACHE = Path.of("/var/tmp/agentkernel-test-cache");

    private static String source;

    private DebianImage() {
    }

    /** The image as our converter reads it, {@code oci:DIR:bookworm}; built on first use on this machine. */
    public static synchronized String source() {
        if (source == null) {
            source = "oci:" + entry().resolve("oci") + ":" + TAG;
        }
        return source;
    }

    private static Path entry() {
        RequiredTools.requireRoot();
        Path debootstrap = RequiredTools.require("debootstrap");
        RequiredTools.require("chroot");
        RequiredTools.require("tar");
        String mirror = DebianMirror.find(Path.of("/etc/apt"), SUITE).orElse(null);
        if (mirror == null) {
            RequiredTools.unavailable("no Debian mirror in /etc/apt/sources.list*: the Debian test image needs one");
        }
        Path cache = cacheRoot();
        Path entry = cache.resolve("debian-" + SUITE + "-" + key(mirror));
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (FileLocks.Held lock = FileLocks.exclusive(cache.resolve(entry.getFileName() + ".lock"))) {
            if (Files.isRegularFile(entry.resolve("oci/index.json"))) {
                return entry;
            }
            removeLeftovers(cache, entry.getFileName() + ".tmp-");
            build(debootstrap, mirror, cache, entry);
            return entry;
        }
    }

    private static Path cacheRoot() {
        String override = System.getenv("AGENTKERNEL_TEST_CACHE");
        return override == null || override.isBlank() ? DEFAULT_CACHE : Path.of(override);
    }

    /** The image's run config, the image config's {@code config} object. */
    static Map<String, Object> runConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", List.of("PATH=" + PATH));
        config.put("WorkingDir", WORKING_DIR);
        config.put("Cmd", List.of("bash"));
        return config;
    }

    /** Everything the image is made from, hashed: a change to any input makes a new cache entry. */
    static String key(String mirror) {
        String inputs = String.join("\n", "version=" + VERSION, "suite=" + SUITE, "variant=minbase",
                "include=" + String.join(",", PACKAGES), "mirror=" + mirror, "arch=amd64",
                "user=" + USER + ":" + UID + ":" + GROUP + ":" + GID + ":" + EXTRA_GROUP + ":" + EXTRA_GID,
                "config=" + runConfig());
        return Digest.sha256(inputs.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    }

    /** Builds into a temporary directory of the cache, then renames it to {@code entry}. */
    private static void build(Path debootstrap, String mirror, Path cache, Path entry) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory(cache, entry.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long start = System.nanoTime();
            Path rootfs = tmp.resolve("rootfs");
            runLogged(List.of(debootstrap.toString(), "--variant=minbase", "--arch=amd64",
                    "--include=" + String.join(",", PACKAGES), SUITE, rootfs.toString(), mirror),
                    tmp.resolve("debootstrap.log"), DEBOOTSTRAP_TIMEOUT, cache.resolve(entry.getFileName() + ".failed.log"));
            double debootstrapSeconds = (System.nanoTime() - start) / 1e9;
            addUser(rootfs);
            tidy(rootfs);
            BuildTree.unmountAll(rootfs); // nothing of the host's /proc or /sys may go into the tar
            Path tar = tmp.resolve("rootfs.tar");
            tar(rootfs, tar);
            long tarBytes = Files.size(tar);
            BuildTree.delete(rootfs);
            OciLayoutWriter.write(tmp.resolve("oci"), TAG, List.of(new OciLayoutWriter.FileLayer(tar)), runConfig());
            double seconds = (System.nanoTime() - start) / 1e9;
            String summary = String.format("built the Debian %s test image in %.0f s (debootstrap %.0f s), layer %d MB,"
                    + " from %s%n", SUITE, seconds, debootstrapSeconds, tarBytes >> 20, mirror);
            Files.writeString(tmp.resolve("build.txt"), summary);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
            System.err.print("DebianImage: " + summary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            BuildTree.delete(tmp);
        }
    }

    /** The named user and groups, made by Debian's own tools in the new root. */
    private static void addUser(Path rootfs) {
        inChroot(rootfs, "groupadd", "-g", Integer.toString(EXTRA_GID), EXTRA_GROUP);
        inChroot(rootfs, "groupadd", "-g", Integer.toString(GID), GROUP);
        inChroot(rootfs, "useradd", "-m", "-u", Integer.toString(UID), "-g", GROUP, "-G", EXTRA_GROUP,
                "-s", "/bin/bash", USER);
    }

    private static void inChroot(Path rootfs, String... command) {
        List<String> argv = new ArrayList<>(List.of("env", "-i", "PATH=" + PATH, "LC_ALL=C", "chroot", rootfs.toString()));
        argv.addAll(List.of(command));
        ExternalCommand.run(STEP_TIMEOUT, argv);
    }

    /** Drops what only the build needed (downloaded packages, index files) and the host's name and resolver. */
    private static void tidy(Path rootfs) throws IOException {
        deleteChildren(rootfs.resolve("var/cache/apt/archives"), ".deb");
        deleteChildren(rootfs.resolve("var/lib/apt/lists"), "");
        Files.deleteIfExists(rootfs.resolve("etc/resolv.conf"));
        Files.writeString(rootfs.resolve("etc/hostname"), "debian\n");
        Files.setPosixFilePermissions(rootfs.resolve("etc/hostname"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void deleteChildren(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                if (Files.isRegularFile(child) && child.getFileName().toString().endsWith(suffix)) {
                    Files.delete(child);
                }
            }
        }
    }

    /** The root file system as one tar, streamed to a file: numeric owners, sorted, staying on its file system. */
    private static void tar(Path rootfs, Path tar) throws IOException {
        List<String> argv = new ArrayList<>(List.of("tar", "--create", "--file", tar.toString(), "--directory",
                rootfs.toString(), "--numeric-owner", "--one-file-system", "--sort=name", "--format=posix",
                "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "--"));
        try (Stream<Path> top = Files.list(rootfs)) {
            top.map(p -> p.getFileName().toString()).sorted().forEach(argv::add); // names without a "./" prefix
        }
        ExternalCommand.run(STEP_TIMEOUT, argv);
    }

    /** Temporary directories of builds that died (only a build holding the lock makes them). */
    private static void removeLeftovers(Path cache, String prefix) {
        try (Stream<Path> children = Files.list(cache)) {
            for (Path child : children.toList()) {
                if (child.getFileName().toString().startsWith(prefix)) {
                    BuildTree.delete(child);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a long, chatty build step with its output in {@code log}; on failure the log is kept at
     * {@code failedLog} and its last lines are in the error.
     */
    private static void runLogged(List<String> command, Path log, Duration timeout, Path failedLog) throws IOException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).redirectErrorStream(true).start();
        String failure;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                failure = "did not finish within " + timeout.toMinutes() + " min";
            } else if (p.exitValue() != 0) {
                failure = "exited " + p.exitValue();
            } else {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "was interrupted";
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Files.copy(log, failedLog, StandardCopyOption.REPLACE_EXISTING);
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        throw new AssertionError(command.get(0) + " " + failure + " (log: " + failedLog + "):\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
    }
}
