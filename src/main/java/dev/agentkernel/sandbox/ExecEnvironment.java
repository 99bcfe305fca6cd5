package dev.agentkernel.sandbox;

import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.image.ImageRunConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command in a sandbox really gets, {@code docker run} style: the image's {@code Env} (its {@code PATH}
 * included), then the network's (the proxy variables of an allowlist), overridden by the sandbox's {@code -e}, overridden by the command's; the command's {@code -w}, else
 * the sandbox's, else the image's {@code WorkingDir}; the command's {@code -u}, else the image's {@code User}.
 */
public record ExecEnvironment(List<String> command, Map<String, String> env, String cwd, String user) {
    /** The PATH a container gets when its image sets none (Docker's default). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ExecEnvironment resolve(SandboxRecord sandbox, ExecRequest request) {
        ImageRunConfig image = sandbox.config();
        List<String> command = request.command().isEmpty() ? image.defaultCommand() : request.command();
        if (command.isEmpty()) {
            throw new UserInputException("no command given, and the image " + sandbox.image()
                    + " has no Entrypoint or Cmd to run");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String pair : image.env()) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        env.putAll(dev.agentkernel.net.Networking.commandEnvironment(sandbox.network()));
        env.putAll(sandbox.env());
        env.putAll(request.env());
        String cwd = firstNonBlank(request.workdir(), sandbox.workdir(), image.workingDir());
        String user = firstNonBlank(request.user(), image.user());
        return new ExecEnvironment(command, env, cwd, user);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
