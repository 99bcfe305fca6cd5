package dev.agentkernel.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Everything a saved VM state is only valid with: the monitor program, the kernel and initramfs, the root file
 * system under the disk (its cache key and file), and the monitor's whole command line with the sandbox's own
 * directory replaced by {@value #SANDBOX_DIR} (so memory, CPUs, devices, kernel arguments and the agent ports
 * are all in it, and an option added to the command line later changes the key by itself). The one part of the
 * command line left out is what each sandbox has on its own and a saved state does not hold: the published ports
 * ({@code hostfwd=} options of {@code -netdev}). libslirp's migrated state holds no host forwards (only the
 * sockets of chardev {@code guestfwd}s, its IP id and its ARP and DHCP tables), so a VM restored with other
 * {@code hostfwd}s on its command line listens on those, and one saved with some has none of them in its state.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MachineFingerprint(@JsonProperty("format") int format,
                                 @JsonProperty("monitor") FileIdentity monitor,
                                 @JsonProperty("kernel") FileIdentity kernel,
                                 @JsonProperty("initramfs") FileIdentity initramfs,
                                 @JsonProperty("rootfsKey") String rootfsKey,
                                 @JsonProperty("rootfs") FileIdentity rootfs,
                                 @JsonProperty("commandLine") List<String> commandLine) {
    /** Bumped whenever what a snapshot holds or how it is restored changes. */
    public static final int FORMAT = 1;
    public static final String SANDBOX_DIR = "${SANDBOX}";

    public MachineFingerprint {
        commandLine = commandLine == null ? List.of() : withoutHostForwards(commandLine);
    }

    /**
     * {@code argv} with the {@code hostfwd=} options taken out of every {@code -netdev} value. Applied to every
     * fingerprint, read ones included, so a header written with the forwards still matches.
     */
    static List<String> withoutHostForwards(List<String> argv) {
        List<String> out = new java.util.ArrayList<>(argv.size());
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            boolean netdev = i > 0 && argv.get(i - 1).equals("-netdev");
            out.add(netdev ? String.join(",", options(arg).stream().filter(o -> !o.startsWith("hostfwd=")).toList()) : arg);
        }
        return List.copyOf(out);
    }

    /** A QEMU option list split at its commas (a doubled comma is part of a value and stays doubled). */
    private static List<String> options(String value) {
        List<String> options = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
                current.append(",,");
                i++;
            } else if (c == ',') {
                options.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        options.add(current.toString());
        return options;
    }

    /** The fingerprint of a monitor's command line {@code argv} for a VM whose directory is {@code sandboxDir}. */
    public static MachineFingerprint of(List<String> argv, Path sandboxDir, Path kernel, Path initramfs,
                                        String rootfsKey, Path rootfs) {
        String dir = sandboxDir.toAbsolutePath().toString();
        List<String> normalized = argv.stream().skip(1).map(a -> a.replace(dir, SANDBOX_DIR)).toList();
        return new MachineFingerprint(FORMAT, FileIdentity.of(Path.of(argv.get(0))), FileIdentity.of(kernel),
                initramfs == null ? null : FileIdentity.of(initramfs), rootfsKey, FileIdentity.of(rootfs), normalized);
    }

    /** Records the fingerprint of a VM being launched (read back by {@link #read} to snapshot it later). */
    public void write(Path file) {
        SnapshotJson.write(file, this);
    }

    public static MachineFingerprint read(Path file) {
        return SnapshotJson.read(file, MachineFingerprint.class);
    }

    /** The cache key: a hash of the whole fingerprint. */
    public String key() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(SnapshotJson.canonical(this).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What differs between a snapshot's fingerprint and this one, in words, or empty when they match. */
    public Optional<String> mismatch(MachineFingerprint saved) {
        if (saved.format != format) {
            return Optional.of("it has format " + saved.format + ", this agentkernel writes " + format);
        }
        if (!monitor.equals(saved.monitor)) {
            return Optional.of("it was made by another QEMU (" + describe(saved.monitor) + ", now " + describe(monitor) + ")");
        }
        if (!kernel.equals(saved.kernel) || !java.util.Objects.equals(initramfs, saved.initramfs)) {
            return Optional.of("it was made with another kernel or initramfs (" + describe(saved.kernel) + ")");
        }
        if (!java.util.Objects.equals(rootfsKey, saved.rootfsKey) || !rootfs.equals(saved.rootfs)) {
            return Optional.of("its root file system changed since (" + describe(saved.rootfs) + ")");
        }
        if (!commandLine.equals(saved.commandLine)) {
            return Optional.of("it was made with other machine options (memory, CPUs, devices or kernel arguments)");
        }
        return Optional.empty();
    }

    private static String describe(FileIdentity f) {
        return f == null ? "none" : f.path() + ", " + f.size() + " bytes, modified " + java.time.Instant.ofEpochMilli(f.modifiedMillis());
    }
}
