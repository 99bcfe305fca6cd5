package dev.agentkernel.image;

import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.Objects;

/**
 * An image platform: operating system, architecture (Go's names: amd64, arm64, arm, 386, ...) and an optional
 * variant (v8, v7, ...). Architecture aliases that other tools use ({@code x86_64}, {@code aarch64}) are
 * normalised to Go's names.
 */
public final class Platform {
    private final String os;
    private final String architecture;
    private final String variant;

    private Platform(String os, String architecture, String variant) {
        this.os = os;
        this.architecture = architecture;
        this.variant = variant;
    }

    /** A platform from its parts; {@code variant} may be null or empty. */
    public static Platform of(String os, String architecture, String variant) {
        if (os == null || os.isBlank() || architecture == null || architecture.isBlank()) {
            throw new IllegalArgumentException("a platform needs an OS and an architecture");
        }
        String v = variant == null || variant.isBlank() ? null : variant.toLowerCase(Locale.ROOT);
        return new Platform(os.toLowerCase(Locale.ROOT), normaliseArchitecture(architecture), v);
    }

    /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}; bad text is a {@link UserInputException}. */
    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()
                || (parts.length == 3 && parts[2].isBlank())) {
            throw new UserInputException("bad platform '" + text + "': expected OS/ARCH[/VARIANT], e.g. linux/arm64");
        }
        return of(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** {@code linux/<this machine's architecture>}, the platform a microVM on this host can run. */
    public static Platform host() {
        return of("linux", System.getProperty("os.arch"), null);
    }

    static String normaliseArchitecture(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "x86_64", "x86-64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "i386", "i686", "x86" -> "386";
            default -> a;
        };
    }

    /**
     * Whether an image made for {@code candidate} satisfies a request for this platform. Without a requested
     * variant any variant will do; arm64 without a variant means v8, as containerd treats it.
     */
    public boolean accepts(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        if (variant == null) {
            return true;
        }
        return variant.equals(effectiveVariant(candidate));
    }

    private static String effectiveVariant(Platform p) {
        if (p.variant == null && p.architecture.equals("arm64")) {
            return "v8";
        }
        return p.variant;
    }

    public String os() {
        return os;
    }

    public String architecture() {
        return architecture;
    }

    /** The variant, or null. */
    public String variant() {
        return variant;
    }

    @Override
    public String toString() {
        return variant == null ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Platform p && p.os.equals(os) && p.architecture.equals(architecture)
                && Objects.equals(p.variant, variant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(os, architecture, variant);
    }
}
