package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code ADD URL}: the file is fetched on the host (http or https, redirects followed), bounded in size and in
 * time, into a spool file; {@code --checksum=ALGO:HEX} (sha256, sha384, sha512) is checked against what arrived.
 * Its name is the last segment of the URL's path, its mtime the response's {@code Last-Modified} when it has
 * one. Remote files are never unpacked, as the reference says.
 */
final class RemoteFile {
    static final long MAX_BYTES = 4L << 30;
    static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern URL = Pattern.compile("(?i)^https?://.+");
    private static final Pattern CHECKSUM = Pattern.compile("^(sha256|sha384|sha512):([0-9a-f]+)$");

    /** What was downloaded: its name from the URL, its bytes in the spool, and the server's Last-Modified. */
    record Fetched(String name, PlannedEntry.Content content, long size, OptionalLong lastModifiedSeconds) {
    }

    private final long maxBytes;
    private final Duration timeout;

    RemoteFile(long maxBytes, Duration timeout) {
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    RemoteFile() {
        this(MAX_BYTES, TIMEOUT);
    }

    static boolean isUrl(String source) {
        return URL.matcher(source).matches();
    }

    static boolean isGit(String source) {
        return source.matches("(?i)^git://.*|^git@.*|(?i)^https?://.*\\.git(#.*)?$");
    }

    /** Checks a {@code --checksum} value's form before anything is fetched. */
    static void checkChecksumForm(String checksum, int line) {
        if (!CHECKSUM.matcher(checksum).matches() || checksum.length() - checksum.indexOf(':') - 1
                != expectedHexLength(checksum.substring(0, checksum.indexOf(':')))) {
            throw new DockerfileException(line, "ADD --checksum=" + checksum + ": expected sha256:, sha384: or"
                    + " sha512: and the digest's lower-case hex");
        }
    }

    private static int expectedHexLength(String algorithm) {
        return switch (algorithm) {
            case "sha256" -> 64;
            case "sha384" -> 96;
            case "sha512" -> 128;
            default -> -1;
        };
    }

    /** The name a URL's file gets: the last non-empty segment of its path, or empty when it has none. */
    static Optional<String> name(URI uri) {
        String path = uri.getPath();
        if (path == null) {
            return Optional.empty();
        }
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".") && !parts[i].equals("..")) {
                return Optional.of(parts[i]);
            }
        }
        return Optional.empty();
    }

    Fetched fetch(String url, Optional<String> checksum, SpoolFile spool, int line) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new DockerfileException(line, "ADD " + url + ": not a valid URL: " + e.getMessage());
        }
        checksum.ifPresent(c -> checkChecksumForm(c, line));
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new DockerfileException(line, "ADD " + url + ": cannot fetch it: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerfileException(line, "ADD " + url + ": interrupted");
        }
        // the body has to arrive within the time too: at the deadline the stream is closed, which ends the read
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            try {
                response.body().close();
            } catch (IOException ignored) {
                // closing is all it does
            }
        }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new DockerfileException(line, "ADD " + url + ": the server answered HTTP "
                        + response.statusCode());
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            if (length.isPresent() && length.getAsLong() > maxBytes) {
                throw new DockerfileException(line, "ADD " + url + ": it is " + length.getAsLong()
                        + " bytes, over the limit of " + maxBytes);
            }
            String algorithm = checksum.map(c -> c.substring(0, c.indexOf(':'))).orElse("sha256");
            MessageDigest md = MessageDigest.getInstance(algorithm.toUpperCase(Locale.ROOT)
                    .replace("SHA", "SHA-"));
            DigestInputStream in = new DigestInputStream(body, md);
            long start;
            try {
                start = spool.append(in, maxBytes, url);
            } catch (IOException e) {
                throw new DockerfileException(line, "ADD " + url + ": " + (watchdog.isDone()
                        ? "not fetched within " + timeout.toSeconds() + " s" : "cannot fetch it: " + e.getMessage()));
            }
            long size = spool.size() - start;
            if (length.isPresent() && length.getAsLong() != size) {
                throw new DockerfileException(line, "ADD " + url + ": the server announced " + length.getAsLong()
                        + " bytes and sent " + size);
            }
            String got = algorithm + ":" + HexFormat.of().formatHex(md.digest());
            if (checksum.isPresent() && !checksum.get().equals(got)) {
                throw new DockerfileException(line, "ADD " + url + ": checksum mismatch: --checksum wants "
                        + checksum.get() + ", the file has " + got);
            }
            return new Fetched(name(uri).orElse(""), spool.region(start, size), size,
                    lastModified(response.headers().firstValue("Last-Modified")));
        } catch (IOException e) {
            throw new DockerfileException(line, "ADD " + url + ": cannot fetch it: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            watchdog.cancel(false);
        }
    }

    static OptionalLong lastModified(Optional<String> header) {
        if (header.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(ZonedDateTime.parse(header.get().strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond());
        } catch (DateTimeParseException e) {
            return OptionalLong.empty();
        }
    }
}
