package dev.agentkernel.api;

import dev.agentkernel.errors.UserInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The API keys a server accepts, from {@code --api-key}, {@code --api-key-file} (one a line; blank lines and
 * {@code #} comments skipped) and {@code AGENTKERNEL_API_KEY}. Only their SHA-256 digests are kept, and a
 * presented key is compared with every one of them in constant time, so neither its length nor how much of it
 * matches shows in the time taken.
 */
public final class ApiKeys {
    /** A key file bigger than this is not a key file. */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final String BEARER = "Bearer ";

    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = List.copyOf(digests);
    }

    public static ApiKeys none() {
        return new ApiKeys(List.of());
    }

    /** The keys given on the command line, in a file and in the environment (each may be absent). */
    public static ApiKeys of(List<String> flags, Path file, String environment) {
        List<String> keys = new ArrayList<>();
        for (String k : flags) {
            keys.add(check(k, "--api-key"));
        }
        if (file != null) {
            keys.addAll(readFile(file));
        }
        if (environment != null && !environment.isBlank()) {
            keys.add(check(environment.strip(), "AGENTKERNEL_API_KEY"));
        }
        return new ApiKeys(keys.stream().map(ApiKeys::digest).toList());
    }

    private static List<String> readFile(Path file) {
        List<String> keys = new ArrayList<>();
        try {
            if (!Files.isRegularFile(file)) {
                throw new UserInputException("API key file " + file + " does not exist");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new UserInputException("API key file " + file + " is over " + MAX_FILE_BYTES + " bytes");
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String key = line.strip();
                if (!key.isEmpty() && !key.startsWith("#")) {
                    keys.add(check(key, "API key file " + file));
                }
            }
        } catch (IOException e) {
            throw new UserInputException("cannot read API key file " + file + ": " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new UserInputException("API key file " + file + " holds no key");
        }
        return keys;
    }

    private static String check(String key, String where) {
        if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new UserInputException("bad API key in " + where + ": a key is printable characters without spaces");
        }
        return key;
    }

    public boolean required() {
        return !digests.isEmpty();
    }

    public int count() {
        return digests.size();
    }

    /** Whether an {@code Authorization} header value carries one of the keys as {@code Bearer KEY}. */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return false;
        }
        byte[] presented = digest(authorization.substring(BEARER.length()));
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented); // no early exit: every key is compared
        }
        return match;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
