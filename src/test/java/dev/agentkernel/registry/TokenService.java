package dev.agentkernel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.agentkernel.image.json.ImageJson;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token service for the real registry's token authentication, as Docker Hub or a cloud registry runs one:
 * it issues RS256 JWTs signed by a key whose self-signed certificate (made by openssl) the registry trusts, in
 * exchange for a user name and password (GET with basic authorization, as skopeo and docker ask) or for an
 * identity token (the OAuth2 refresh-token grant, a POST). It records each request's method and grant.
 */
final class TokenService implements AutoCloseable {
    static final String SERVICE = "agentkernel-test-registry";
    static final String ISSUER = "agentkernel-test-issuer";

    /** One request as the service saw it. */
    record Seen(String method, String grantType, boolean basicAuthorization, String refreshTokenSent) {
    }

    private final String user;
    private final String password;
    private final String identityToken;
    private final PrivateKey key;
    private final String certificateDer;
    private final Path certificate;
    private final TestHttpServer server;
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    private TokenService(Path dir, String user, String password, String identityToken) throws IOException {
        this.user = user;
        this.password = password;
        this.identityToken = identityToken;
        RequiredTools.require("openssl");
        Path keyFile = dir.resolve("token-key.pem");
        this.certificate = dir.resolve("token-cert.pem");
        ExternalCommand.run(Duration.ofSeconds(60), "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", keyFile.toString(), "-out", certificate.toString(), "-days", "2",
                "-subj", "/CN=agentkernel test token service");
        try {
            this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyFile)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key openssl made", e);
        }
        this.certificateDer = Base64.getEncoder().encodeToString(pem(certificate));
        this.server = new TestHttpServer(this::handle);
    }

    /** Accepts {@code user}/{@code password} by GET and {@code identityToken} as a refresh token by POST. */
    static TokenService start(Path dir, String user, String password, String identityToken) throws IOException {
        return new TokenService(dir, user, password, identityToken);
    }

    /** The realm the registry sends clients to. */
    String realm() {
        return "http://" + server.registry() + "/token";
    }

    /** The certificate bundle the registry verifies tokens with. */
    Path certificate() {
        return certificate;
    }

    /** The registry's configuration for this service. */
    String registryAuthConfig() {
        return """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm(), SERVICE, ISSUER, certificate);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        Map<String, String> params = form(exchange.getRequestURI().getRawQuery());
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        boolean basic = authorization != null && authorization.startsWith("Basic ");
        if (method.equals("POST")) {
            params.putAll(form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        }
        String grant = params.getOrDefault("grant_type", "");
        seen.add(new Seen(method, grant, basic, params.get("refresh_token")));
        boolean granted;
        if (method.equals("POST")) {
            granted = grant.equals("refresh_token") && identityToken.equals(params.get("refresh_token"));
            if (!granted) {
                TestHttpServer.send(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"unknown refresh token\"}");
                return;
            }
        } else {
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            granted = expected.equals(authorization);
            if (!granted) {
                TestHttpServer.send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
        }
        String token = jwt(params.getOrDefault("scope", ""));
        String field = method.equals("POST") ? "access_token" : "token";
        TestHttpServer.send(exchange, 200, "{\"" + field + "\":\"" + token + "\",\"expires_in\":300}");
    }

    /** A token granting what {@code scope} ("repository:NAME:pull,push") asks. */
    private String jwt(String scope) throws IOException {
        ObjectNode header = ImageJson.mapper().createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(certificateDer);
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = ImageJson.mapper().createObjectNode().put("iss", ISSUER).put("sub", user)
                .put("aud", SERVICE).put("iat", now).put("nbf", now - 60).put("exp", now + 300)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        String[] parts = scope.split(":");
        if (parts.length == 3) {
            ObjectNode grant = access.addObject().put("type", parts[0]).put("name", parts[1]);
            ArrayNode actions = grant.putArray("actions");
            for (String action : parts[2].split(",")) {
                actions.add(action);
            }
        }
        String signingInput = base64Url(json(header)) + "." + base64Url(json(claims));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static byte[] json(JsonNode node) throws IOException {
        return ImageJson.mapper().writeValueAsBytes(node);
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The DER inside a PEM file's first block. */
    private static byte[] pem(Path file) throws IOException {
        String text = Files.readString(file);
        int begin = text.indexOf("-----BEGIN");
        int bodyStart = text.indexOf('\n', begin) + 1;
        int end = text.indexOf("-----END", bodyStart);
        return Base64.getMimeDecoder().decode(text.substring(bodyStart, end));
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> params = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    @Override
    public void close() {
        server.close();
    }
}
