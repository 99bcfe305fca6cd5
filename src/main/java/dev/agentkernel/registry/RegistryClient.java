package dev.agentkernel.registry;

import dev.agentkernel.image.Digest;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.MediaTypes;
import dev.agentkernel.store.BlobStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A client of the OCI distribution API for one registry: fetches manifests (verified against their digest)
 * and blobs (resumed with {@code Range} after an interrupted body, verified before they are kept). HTTPS
 * unless the registry is on this machine or {@code insecure} is set.
 */
public final class RegistryClient {
    /** Every manifest kind we read: the CNCF registry answers 404 for an OCI manifest a client does not accept. */
    public static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final String registry;
    private final URI base;
    private final RegistryHttp http;
    /** Closes the bodies of stalled downloads, which unblocks their reads; shared by all clients. */
    private static final ScheduledExecutorService STALL_WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agentkernel-stall-watch");
        t.setDaemon(true);
        return t;
    });

    private final RetryPolicy retry;
    private final Duration stallTimeout;

    private RegistryClient(String registry, URI base, RegistryHttp http, RetryPolicy retry, Duration stallTimeout) {
        this.registry = registry;
        this.base = base;
        this.http = http;
        this.retry = retry;
        this.stallTimeout = stallTimeout;
    }

    /** A client for the registry of {@code reference}, with credentials from the options or the Docker config. */
    public static RegistryClient forRegistryOf(ImageReference reference, RegistryOptions options) {
        boolean plain = options.insecure() || reference.isLoopback();
        URI base = URI.create((plain ? "http" : "https") + "://" + reference.apiHost());
        Optional<Credentials> credentials = options.credentials().isPresent() ? options.credentials()
                : options.dockerConfig().credentialsFor(reference.registry());
        HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .version(plain ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .build();
        RegistryAuth auth = new RegistryAuth(reference.registry(), !plain, credentials, client, options.retry(),
                options.clock());
        RegistryHttp http = new RegistryHttp(reference.registry(), client, auth, options.retry(), options.headersTimeout());
        return new RegistryClient(reference.registry(), base, http, options.retry(), options.stallTimeout());
    }

    int tokenRequests() {
        return http.auth().tokenRequests();
    }

    /** The manifest or index {@code reference} names (its digest if it has one, else its tag). */
    public ManifestResponse manifest(ImageReference reference) {
        return manifest(reference, reference.manifestReference());
    }

    /** The manifest with {@code digest} in the repository of {@code reference}. */
    public ManifestResponse manifest(ImageReference reference, Digest digest) {
        return manifest(reference, digest.toString());
    }

    private ManifestResponse manifest(ImageReference reference, String tagOrDigest) {
        URI uri = base.resolve("/v2/" + reference.repository() + "/manifests/" + tagOrDigest);
        HttpResponse<InputStream> response = http.get(uri, Map.of("Accept", MANIFEST_ACCEPT), pullScope(reference));
        int status = response.statusCode();
        byte[] body;
        try (InputStream in = response.body()) {
            if (status != 200) {
                throw notOk(status, RegistryErrors.describe(in), "manifest " + reference.repository() + ":" + tagOrDigest);
            }
            body = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new RegistryException("reading the manifest of " + reference + " from " + registry + " failed: "
                    + RegistryHttp.describe(e), e);
        }
        if (body.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException("the manifest of " + reference + " is larger than 4 MiB; refusing it");
        }
        String mediaType = response.headers().firstValue("Content-Type").map(RegistryClient::stripParameters).orElse(null);
        Digest actual = Digest.sha256(body);
        if (Digest.isDigest(tagOrDigest)) {
            Digest wanted = Digest.parse(tagOrDigest);
            Digest computed = wanted.algorithm().equals("sha256") ? actual
                    : Digest.of(wanted.algorithm(), wanted.newMessageDigest().digest(body));
            if (!computed.equals(wanted)) {
                throw new RegistryException("registry " + registry + " sent a manifest for " + wanted
                        + " whose content has digest " + computed + "; refusing it");
            }
            return new ManifestResponse(body, mediaType, wanted);
        }
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest");
        if (header.isPresent() && header.get().startsWith("sha256:") && !header.get().equals(actual.toString())) {
            throw new RegistryException("registry " + registry + " says the manifest of " + reference + " is "
                    + header.get() + " but its content has digest " + actual + "; refusing it");
        }
        return new ManifestResponse(body, mediaType, actual);
    }

    /**
     * Downloads blob {@code digest} of {@code size} bytes into {@code target}, continuing where an earlier
     * attempt stopped, and commits it (size and digest checked). {@code progress} gets the bytes held so far.
     * An interrupted body is resumed with {@code Range} (or restarted when the registry ignores ranges) until
     * {@link RetryPolicy#maxAttempts()} attempts in a row bring no new bytes.
     */
    public void blob(ImageReference reference, Digest digest, long size, BlobStore.PendingBlob target,
                     LongConsumer progress) {
        URI uri = base.resolve("/v2/" + reference.repository() + "/blobs/" + digest);
        int failuresWithoutProgress = 0;
        IOException last = null;
        while (true) {
            long from = target.resumeFrom();
            progress.accept(from);
            if (size < 0 || from < size) {
                long before = from;
                try {
                    download(reference, uri, digest, from, target, progress);
                } catch (IOException e) {
                    last = e;
                }
                if (target.written() > before) {
                    failuresWithoutProgress = 0;
                }
                if (size >= 0 && target.written() < size || last != null && size < 0) {
                    failuresWithoutProgress++;
                    if (failuresWithoutProgress >= retry.maxAttempts()) {
                        throw new RegistryException("downloading blob " + digest + " from " + registry + " failed "
                                + failuresWithoutProgress + " times in a row"
                                + (last != null ? ": " + RegistryHttp.describe(last) : " (the body ended early)"), last);
                    }
                    RetryPolicy.sleep(retry.backoff(failuresWithoutProgress));
                    last = null;
                    continue;
                }
            }
            try {
                target.commit();
                return;
            } catch (BlobStore.BlobMismatchException e) {
                throw new RegistryException("registry " + registry + " served a corrupt blob: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new RegistryException("could not store blob " + digest + ": " + e.getMessage(), e);
            }
        }
    }

    /** One GET of the blob from {@code from} on; an {@link IOException} means the body was cut. */
    private void download(ImageReference reference, URI uri, Digest digest, long from, BlobStore.PendingBlob target,
                          LongConsumer progress) throws IOException {
        Map<String, String> headers = from > 0 ? Map.of("Range", "bytes=" + from + "-") : Map.of();
        HttpResponse<InputStream> response = http.get(uri, headers, pullScope(reference));
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status == 206) {
                long start = rangeStart(response.headers().firstValue("Content-Range").orElse(""));
                if (start != from) {
                    // Not the range we asked for: start over rather than splice wrong bytes.
                    target.restart();
                    return;
                }
            } else if (status == 200) {
                if (from > 0) {
                    target.restart(); // the registry ignored Range and sends the whole blob
                }
            } else if (status == 416) {
                target.restart();
                return;
            } else {
                throw notOk(status, RegistryErrors.describe(in), "blob " + digest);
            }
            copyWatchingForStalls(in, target, progress);
        }
    }

    /** Copies the body; if it sends nothing for {@link #stallTimeout}, closes it, so the caller resumes. */
    private void copyWatchingForStalls(InputStream in, BlobStore.PendingBlob target, LongConsumer progress)
            throws IOException {
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long period = Math.max(10, stallTimeout.toMillis() / 4);
        ScheduledFuture<?> watch = STALL_WATCH.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastData.get() > stallTimeout.toNanos() && !stalled.getAndSet(true)) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // The reader sees the stream closed either way.
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try {
            OutputStream out = target.output();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastData.set(System.nanoTime());
                out.write(buffer, 0, n);
                progress.accept(target.written());
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
            }
            throw e;
        } finally {
            watch.cancel(false);
        }
    }

    private static long rangeStart(String contentRange) {
        // "bytes 100-199/200"
        String s = contentRange.strip().toLowerCase(Locale.ROOT);
        if (!s.startsWith("bytes ")) {
            return -1;
        }
        int dash = s.indexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(s.substring(6, dash).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private RegistryException notOk(int status, String detail, String what) {
        String suffix = detail.isEmpty() ? "" : " (" + detail + ")";
        if (status == 404) {
            return new RegistryException("registry " + registry + " has no " + what + suffix, status, null);
        }
        if (status == 403) {
            return http.auth().unauthorized(status, detail);
        }
        return new RegistryException("registry " + registry + " answered HTTP " + status + " for " + what + suffix,
                status, null);
    }

    private static String pullScope(ImageReference reference) {
        return "repository:" + reference.repository() + ":pull";
    }

    private static String stripParameters(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    }
}
