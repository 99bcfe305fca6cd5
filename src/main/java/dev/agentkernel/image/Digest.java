package dev.agentkernel.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it, {@code algorithm:hex}. Only sha256 and sha512 are
 * accepted, since those are the algorithms registries and engines produce.
 */
public final class Digest implements Comparable<Digest> {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    private final String algorithm;
    private final String hex;

    private Digest(String algorithm, String hex) {
        this.algorithm = algorithm;
        this.hex = hex;
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; throws {@link IllegalArgumentException}. */
    public static Digest parse(String text) {
        Objects.requireNonNull(text, "digest");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a digest (expected sha256:<hex>): " + text);
        }
        String algorithm = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        Pattern pattern = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new IllegalArgumentException("unsupported digest algorithm '" + algorithm + "' in " + text);
        };
        if (!pattern.matcher(hex).matches()) {
            throw new IllegalArgumentException("malformed " + algorithm + " digest: " + text);
        }
        return new Digest(algorithm, hex);
    }

    /** Whether {@code text} parses as a digest. */
    public static boolean isDigest(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        MessageDigest md = newSha256();
        return new Digest("sha256", HexFormat.of().formatHex(md.digest(bytes)));
    }

    /** A digest from a finished {@link MessageDigest} of the given algorithm name ("sha256" or "sha512"). */
    public static Digest of(String algorithm, byte[] rawDigest) {
        return parse(algorithm + ":" + HexFormat.of().formatHex(rawDigest));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** A fresh {@link MessageDigest} for this digest's algorithm, to verify content against it. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    /** Whether a finished message digest equals this one. */
    public boolean matches(byte[] rawDigest) {
        return HexFormat.of().formatHex(rawDigest).equals(hex);
    }

    public String algorithm() {
        return algorithm;
    }

    public String hex() {
        return hex;
    }

    /** The first 12 hex characters, as engines show image ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && d.algorithm.equals(algorithm) && d.hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, hex);
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}
