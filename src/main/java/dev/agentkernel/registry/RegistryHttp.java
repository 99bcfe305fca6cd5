package dev.agentkernel.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Sends GET requests to one registry: adds authorization (answering 401 challenges once per request),
 * retries connection errors, 429 and 5xx with backoff, and follows redirects itself so that the registry's
 * credentials are never sent to another host (blob storage behind a redirect has its own signed URL).
 */
final class RegistryHttp {
    private static final int MAX_REDIRECTS = 10;

    private final String registry;
    private final HttpClient client;
    private final RegistryAuth auth;
    private final RetryPolicy retry;
    private final Duration headersTimeout;

    RegistryHttp(String registry, HttpClient client, RegistryAuth auth, RetryPolicy retry, Duration headersTimeout) {
        this.registry = registry;
        this.client = client;
        this.auth = auth;
        this.retry = retry;
        this.headersTimeout = headersTimeout;
    }

    RegistryAuth auth() {
        return auth;
    }

    /**
     * GETs {@code uri}. Returns the response of any status but 401 (after authenticating), 429/5xx (after the
     * retries) and redirects; the caller closes its body. A 401 that authentication cannot fix is a
     * {@link RegistryException} saying whose credentials were refused.
     */
    HttpResponse<InputStream> get(URI uri, Map<String, String> headers, String scope) {
        URI target = uri;
        boolean answeredChallenge = false;
        int redirects = 0;
        int failures = 0;
        while (true) {
            boolean sameHost = sameOrigin(uri, target);
            HttpRequest.Builder request = HttpRequest.newBuilder(target).GET().timeout(headersTimeout);
            headers.forEach(request::header);
            if (sameHost) {
                auth.authorization(scope).ifPresent(a -> request.header("Authorization", a));
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                failures++;
                if (failures >= retry.maxAttempts()) {
                    throw new RegistryException("cannot reach registry " + registry + " (" + target.getScheme() + "://"
                            + target.getAuthority() + "): " + describe(e) + " after " + failures + " attempts", e);
                }
                RetryPolicy.sleep(retry.backoff(failures));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted", e);
            }
            int status = response.statusCode();
            if (status == 401 && sameHost) {
                String detail = RegistryErrors.describe(response.body());
                Optional<AuthChallenge> challenge = response.headers().firstValue("WWW-Authenticate")
                        .flatMap(AuthChallenge::parse);
                if (answeredChallenge || challenge.isEmpty() || !auth.answer(challenge.get(), scope)) {
                    throw auth.unauthorized(status, detail);
                }
                answeredChallenge = true;
                continue;
            }
            if (RetryPolicy.retryableStatus(status)) {
                failures++;
                String detail = RegistryErrors.describe(response.body());
                if (failures >= retry.maxAttempts()) {
                    throw new RegistryException("registry " + registry + " answered HTTP " + status
                            + (detail.isEmpty() ? "" : " (" + detail + ")") + " after " + failures + " attempts",
                            status, null);
                }
                RetryPolicy.sleep(retry.backoff(failures, response.headers().firstValue("Retry-After").orElse(null)));
                continue;
            }
            if (isRedirect(status)) {
                RegistryErrors.describe(response.body());
                String location = response.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                        "registry " + registry + " answered HTTP " + status + " without a Location", status, null));
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException("registry " + registry + " redirected more than " + MAX_REDIRECTS
                            + " times", status, null);
                }
                URI next = target.resolve(location);
                if ("http".equals(next.getScheme()) && "https".equals(target.getScheme())) {
                    throw new RegistryException("registry " + registry + " redirected from HTTPS to plain HTTP ("
                            + next.getHost() + "); refusing", status, null);
                }
                target = next;
                continue;
            }
            return response;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    /** What went wrong with a request, in words: the JDK's client often throws without a message of its own. */
    static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "unknown host";
            }
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "the connection timed out";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "cannot connect" + (message == null ? "" : " (" + dev.agentkernel.errors.Quote.escape(message, 200) + ")");
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + dev.agentkernel.errors.Quote.escape(message, 200));
    }
}
