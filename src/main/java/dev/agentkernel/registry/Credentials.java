package dev.agentkernel.registry;

import dev.agentkernel.errors.UserInputException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password (or token) for a registry. {@link #toString()} never shows the password, so a
 * credential that ends up in a message or a log line stays secret.
 *
 * @param origin where they came from ("--creds", "/root/.docker/config.json"), for error messages
 */
public record Credentials(String username, String password, String origin) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(origin, "origin");
    }

    /** Parses {@code USER:PASS} as given to {@code --creds}; the password may contain colons. */
    public static Credentials parse(String userColonPassword, String origin) {
        int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
        if (colon <= 0) {
            throw new UserInputException("credentials must be USER:PASSWORD (" + origin + ")");
        }
        return new Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1), origin);
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ":****, from " + origin + "]";
    }
}
