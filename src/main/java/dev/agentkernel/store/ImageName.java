package dev.agentkernel.store;

import dev.agentkernel.errors.UserInputException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of a locally built image, as given to {@code build -t NAME}. It becomes the engine tag
 * {@code agentkernel-NAME}, so besides the seed's rule (letters, digits, {@code -}, {@code _}, {@code .}) it must
 * be something every engine accepts as a repository name: lower case, at most 128 characters, starting and
 * ending with a letter or digit, and no two separators in a row except {@code __} and runs of {@code -}
 * (the Docker reference grammar).
 */
public final class ImageName {
    public static final int MAX_LENGTH = 128;
    /** Prefix of the engine tag of every image agentkernel builds. */
    public static final String ENGINE_PREFIX = "agentkernel-";

    private static final Pattern ALLOWED_CHARACTERS = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern DOCKER_PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

    private final String value;

    private ImageName(String value) {
        this.value = value;
    }

    /** Validates {@code text}; each failure is a {@link UserInputException} with one line that says what to do. */
    public static ImageName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new UserInputException("image name must not be empty");
        }
        if (text.equals(".") || text.equals("..")) {
            throw new UserInputException("image name must not be '" + text + "'");
        }
        if (text.length() > MAX_LENGTH) {
            throw new UserInputException("image name is " + text.length() + " characters long; the limit is "
                    + MAX_LENGTH);
        }
        if (!ALLOWED_CHARACTERS.matcher(text).matches()) {
            throw new UserInputException("invalid image name '" + text
                    + "': use only letters, digits, '-', '_' and '.'");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.equals(text)) {
            throw new UserInputException("invalid image name '" + text
                    + "': container engines accept only lower-case tags; use '" + lower + "'");
        }
        if (!DOCKER_PATH_COMPONENT.matcher(text).matches()) {
            throw new UserInputException("invalid image name '" + text
                    + "': it must start and end with a letter or digit, and separators ('.', '_', '-') may not"
                    + " follow each other (except '__' and '--')");
        }
        return new ImageName(text);
    }

    public String value() {
        return value;
    }

    /** The engine tag this name is built under: {@code agentkernel-NAME}. */
    public String engineReference() {
        return ENGINE_PREFIX + value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageName n && n.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
