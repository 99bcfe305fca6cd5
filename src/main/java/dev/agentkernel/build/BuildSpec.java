package dev.agentkernel.build;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.Platform;
import dev.agentkernel.store.ImageName;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated {@code build} request: every check that can fail on the user's input happens in {@link #of}, before
 * an engine is looked for, so bad input fails fast with one line and exit code 2.
 *
 * @param name       the image name ({@code -t})
 * @param context    absolute, normalized build context directory
 * @param dockerfile absolute, normalized Dockerfile ({@code -f}, default {@code CONTEXT/Dockerfile})
 * @param buildArgs  {@code --build-arg KEY=VALUE} in the order given (a repeated key keeps the last value)
 * @param target     {@code --target} stage or null
 * @param noCache    {@code --no-cache}
 * @param labels     {@code --label KEY=VALUE} in the order given (a repeated key keeps the last value); they
 *                   override the Dockerfile's LABELs of the same key, as {@code docker build --label} does
 * @param platform   {@code --platform}, or null for this machine's
 */
public record BuildSpec(ImageName name, Path context, Path dockerfile, Map<String, String> buildArgs, String target,
                        boolean noCache, Map<String, String> labels, Platform platform) {
    private static final Pattern BUILD_ARG_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public BuildSpec {
        buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** This request with {@code --label KEY=VALUE} values: KEY non-empty, VALUE any text (empty allowed). */
    public BuildSpec withLabels(List<String> values) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String label : values == null ? List.<String>of() : values) {
            int eq = label.indexOf('=');
            if (eq <= 0 || label.substring(0, eq).isBlank()) {
                throw new UserInputException("invalid --label '" + label + "': expected KEY=VALUE");
            }
            parsed.remove(label.substring(0, eq));
            parsed.put(label.substring(0, eq), label.substring(eq + 1));
        }
        return new BuildSpec(name, context, dockerfile, buildArgs, target, noCache, parsed, platform);
    }

    /** This request for {@code --platform OS/ARCH[/VARIANT]} (null: this machine's). */
    public BuildSpec withPlatform(String value) {
        return new BuildSpec(name, context, dockerfile, buildArgs, target, noCache, labels,
                value == null ? null : Platform.parse(value));
    }

    /**
     * Validates the command line's values. Relative paths are taken from the working directory, as
     * {@code docker build} does (also for {@code -f}).
     */
    public static BuildSpec of(String name, String context, String dockerfile, List<String> buildArgs, String target,
                               boolean noCache) {
        ImageName imageName = ImageName.parse(name);
        if (context == null || context.isBlank()) {
            throw new UserInputException("no build context given: name a directory, e.g. 'agentkernel build -t "
                    + name + " .'");
        }
        Path contextDir = Path.of(context).toAbsolutePath().normalize();
        if (!Files.exists(contextDir)) {
            throw new UserInputException("build context " + contextDir + " does not exist");
        }
        if (!Files.isDirectory(contextDir)) {
            throw new UserInputException("build context " + contextDir + " is not a directory");
        }
        Path file;
        if (dockerfile == null) {
            file = contextDir.resolve("Dockerfile");
            if (!Files.isRegularFile(file)) {
                throw new UserInputException("no Dockerfile in " + contextDir + ": add one or name it with -f");
            }
        } else {
            file = Path.of(dockerfile).toAbsolutePath().normalize();
            if (!Files.exists(file)) {
                throw new UserInputException("Dockerfile " + file + " does not exist");
            }
            if (!Files.isRegularFile(file)) {
                throw new UserInputException("Dockerfile " + file + " is not a regular file");
            }
        }
        if (!Files.isReadable(file)) {
            throw new UserInputException("Dockerfile " + file + " is not readable");
        }
        if (target != null && target.isBlank()) {
            throw new UserInputException("--target needs a stage name");
        }
        return new BuildSpec(imageName, contextDir, file, parseBuildArgs(buildArgs), target, noCache, Map.of(), null);
    }

    private static Map<String, String> parseBuildArgs(List<String> args) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String arg : args == null ? List.<String>of() : args) {
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg : arg.substring(0, eq);
            if (eq < 0 || !BUILD_ARG_KEY.matcher(key).matches()) {
                throw new UserInputException("invalid --build-arg '" + arg + "': expected KEY=VALUE with KEY made of"
                        + " letters, digits and '_'");
            }
            parsed.put(key, arg.substring(eq + 1));
        }
        return parsed;
    }
}
