package dev.agentkernel.registry;

import dev.agentkernel.image.json.ImageJson;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authorization for one registry. After a {@code 401} it answers the registry's {@code WWW-Authenticate}
 * challenge: for {@code Bearer} it asks the token service at {@code realm} (with {@code service} and
 * {@code scope}, sending the credentials if there are any: a password by GET with basic authorization, an
 * identity token by POST as an OAuth2 refresh token, as the docker client does) and caches the token for its
 * scope until it expires; for {@code Basic} it sends a user name and password from then on. Credentials and
 * tokens never appear in messages.
 */
final class RegistryAuth {
    /** Tokens whose lifetime is not given live this long (the distribution token spec's default). */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    /** Renew a little early, so a token does not expire between our check and the registry's. */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(5);

    private record Token(String value, Instant expires) {
    }

    private final String registry;
    private final boolean secure;
    private final Optional<Credentials> credentials;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile boolean basic;
    private final AtomicInteger tokenRequests = new AtomicInteger();

    /** {@code secure}: the registry is spoken to over HTTPS, so its token service must be too. */
    RegistryAuth(String registry, boolean secure, Optional<Credentials> credentials, HttpClient http, RetryPolicy retry,
                 Clock clock) {
        this.registry = registry;
        this.secure = secure;
        this.credentials = credentials;
        this.http = http;
        this.retry = retry;
        this.clock = clock;
    }

    /** The {@code Authorization} header value to send for {@code scope}, if we have one. */
    Optional<String> authorization(String scope) {
        Token token = tokens.get(scope);
        if (token != null && clock.instant().isBefore(token.expires())) {
            return Optional.of("Bearer " + token.value());
        }
        if (basic && credentials.isPresent()) {
            return Optional.of(credentials.get().basicAuthorization());
        }
        return Optional.empty();
    }

    /** How many tokens were requested (tests check that tokens are reused). */
    int tokenRequests() {
        return tokenRequests.get();
    }

    /**
     * Prepares to answer {@code challenge} for {@code scope}. Returns false when there is nothing new to try
     * (a Basic challenge without credentials), so the caller reports the 401.
     */
    boolean answer(AuthChallenge challenge, String scope) {
        if (challenge.isBasic()) {
            if (credentials.isEmpty() || basic) {
                return false;
            }
            if (credentials.get().identityToken()) {
                throw new RegistryException("registry " + registry + " asks for a user name and password, but the "
                        + "credentials from " + credentials.get().origin() + " are an identity token, which only a "
                        + "token service takes; pass --username USER --password-stdin instead");
            }
            basic = true;
            return true;
        }
        if (challenge.isBearer()) {
            tokens.put(scope, fetchToken(challenge, challenge.param("scope").orElse(scope)));
            return true;
        }
        throw new RegistryException("registry " + registry + " asks for unsupported authentication '"
                + challenge.scheme() + "'");
    }

    private Token fetchToken(AuthChallenge challenge, String scope) {
        String realm = challenge.param("realm").orElseThrow(() -> new RegistryException(
                "registry " + registry + " sent a Bearer challenge without a realm"));
        StringBuilder query = new StringBuilder();
        challenge.param("service").ifPresent(s -> query.append("service=").append(encode(s)));
        if (!scope.isEmpty()) {
            query.append(query.length() > 0 ? "&" : "").append("scope=").append(encode(scope));
        }
        URI uri = URI.create(realm + (query.length() == 0 ? "" : (realm.contains("?") ? "&" : "?") + query));
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new RegistryException("registry " + registry + " names a token service that is not HTTP(S): " + realm);
        }
        if (secure && !"https".equals(uri.getScheme())) {
            throw new RegistryException("registry " + registry + " names a plain-HTTP token service (" + uri.getHost()
                    + "); refusing to send credentials or tokens unencrypted");
        }
        HttpRequest.Builder request = (hasIdentityToken() ? refreshTokenRequest(URI.create(realm), challenge, scope)
                : passwordTokenRequest(uri)).timeout(Duration.ofSeconds(60));
        tokenRequests.incrementAndGet();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (attempt >= retry.maxAttempts()) {
                    throw new RegistryException("cannot reach the token service of " + registry + " at "
                            + uri.getHost() + ": " + e, e);
                }
                RetryPolicy.sleep(retry.backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted", e);
            }
            int status = response.statusCode();
            if (RetryPolicy.retryableStatus(status) && attempt < retry.maxAttempts()) {
                RegistryErrors.describe(response.body());
                RetryPolicy.sleep(retry.backoff(attempt, response.headers().firstValue("Retry-After").orElse(null)));
                continue;
            }
            boolean refused = status == 401 || status == 403
                    // an OAuth2 endpoint refuses a bad refresh token with 400 invalid_grant
                    || status == 400 && hasIdentityToken();
            if (refused) {
                throw unauthorized(status, RegistryErrors.describe(response.body()));
            }
            if (status != 200) {
                throw new RegistryException("the token service of " + registry + " answered HTTP " + status + ": "
                        + RegistryErrors.describe(response.body()), status, null);
            }
            return parseToken(response);
        }
    }

    /** The token spec's GET to the realm (with service and scope in {@code uri}), the password as basic auth. */
    private HttpRequest.Builder passwordTokenRequest(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        credentials.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
        return request;
    }

    private boolean hasIdentityToken() {
        return credentials.map(Credentials::identityToken).orElse(false);
    }

    /**
     * The OAuth2 refresh-token grant that exchanges an identity token for an access token (the token spec's
     * "OAuth2 token" form): POST to the realm itself, the token in the form body, never in the URL.
     */
    private HttpRequest.Builder refreshTokenRequest(URI realm, AuthChallenge challenge, String scope) {
        StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=agentkernel");
        form.append("&refresh_token=").append(encode(credentials.orElseThrow().password()));
        challenge.param("service").ifPresent(s -> form.append("&service=").append(encode(s)));
        if (!scope.isEmpty()) {
            form.append("&scope=").append(encode(scope));
        }
        return HttpRequest.newBuilder(realm).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8));
    }

    private Token parseToken(HttpResponse<InputStream> response) {
        JsonNode json;
        try (InputStream in = response.body()) {
            json = ImageJson.mapper().readTree(in.readNBytes(1 << 20));
        } catch (IOException e) {
            throw new RegistryException("the token service of " + registry + " sent an unreadable answer", e);
        }
        String value = json.path("token").asText("");
        if (value.isEmpty()) {
            value = json.path("access_token").asText("");
        }
        if (value.isEmpty()) {
            throw new RegistryException("the token service of " + registry + " sent no token");
        }
        Instant issued = clock.instant();
        String issuedAt = json.path("issued_at").asText("");
        if (!issuedAt.isEmpty()) {
            try {
                // Trust the server's time only when it is not in our future (clock skew would extend the token).
                Instant serverIssued = Instant.parse(issuedAt);
                if (serverIssued.isBefore(issued)) {
                    issued = serverIssued;
                }
            } catch (DateTimeParseException ignored) {
                // Keep our own clock.
            }
        }
        long seconds = json.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME;
        return new Token(value, issued.plus(lifetime).minus(EXPIRY_MARGIN));
    }

    /** The message for a refused request: whose credentials were refused, or how to supply some. */
    RegistryException unauthorized(int status, String detail) {
        String why = detail.isEmpty() ? "" : " (" + detail + ")";
        String statusText = status == 401 ? "401 Unauthorized" : status == 403 ? "403 Forbidden" : "HTTP " + status;
        if (credentials.isPresent()) {
            Credentials c = credentials.get();
            String whose = c.identityToken() ? "the identity token" : "the credentials of user '" + c.username() + "'";
            return new RegistryException("registry " + registry + " refused " + whose + " from " + c.origin() + ": "
                    + statusText + why, status, null);
        }
        return new RegistryException("registry " + registry + " requires authentication: " + statusText + why
                + "; pass --creds USER:PASSWORD or add the registry to the 'auths' of ~/.docker/config.json", status, null);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
