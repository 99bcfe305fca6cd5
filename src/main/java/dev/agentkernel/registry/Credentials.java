package dev.agentkernel.registry;

import dev.agentkernel.errors.UserInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password for a registry, or an identity token: an OAuth2 refresh token that a credential
 * helper or {@code docker login} stored instead of a password, which only the registry's token service takes
 * (in exchange for access tokens). {@link #toString()} never shows the password or token, so a credential that
 * ends up in a message or a log line stays secret.
 *
 * @param password      the password, or the identity token when {@code identityToken}
 * @param origin        where they came from ("--creds", "/root/.docker/config.json"), for error messages
 */
public record Credentials(String username, String password, String origin, boolean identityToken) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(origin, "origin");
    }

    /** A user name and password. */
    public Credentials(String username, String password, String origin) {
        this(username, password, origin, false);
    }

    /** An identity token ({@code username} is what the store gave with it, often a placeholder). */
    public static Credentials ofIdentityToken(String username, String token, String origin) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("empty identity token");
        }
        return new Credentials(username, token, origin, true);
    }

    /** Parses {@code USER:PASS} as given to {@code --creds}; the password may contain colons. */
    public static Credentials parse(String userColonPassword, String origin) {
        int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
        if (colon <= 0) {
            throw new UserInputException("credentials must be USER:PASSWORD (" + origin + ")");
        }
        return new Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1), origin);
    }

    /**
     * The password (or token) on the first line of {@code in}, for {@code username}: how a script passes a secret
     * without putting it on the command line, where every user of the machine can read it in the process list.
     */
    public static Credentials readPassword(String username, InputStream in, String origin) {
        if (username == null || username.isEmpty() || username.indexOf(':') >= 0) {
            throw new UserInputException(origin + " needs --username USER (a name without ':')");
        }
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new UserInputException(origin + ": cannot read the password from standard input: " + e.getMessage());
        }
        if (line == null || line.isEmpty()) {
            throw new UserInputException(origin + ": standard input holds no password");
        }
        return new Credentials(username, line, origin);
    }

    /** The value of an {@code Authorization: Basic} header (for a user name and password only). */
    public String basicAuthorization() {
        if (identityToken) {
            throw new IllegalStateException("an identity token is not sent as basic authorization");
        }
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + (identityToken ? "identity token" : username + ":****") + ", from " + origin + "]";
    }
}
