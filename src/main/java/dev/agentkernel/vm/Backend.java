package dev.agentkernel.vm;

import dev.agentkernel.errors.ToolException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.process.Executables;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The monitors agentkernel can drive, in order of preference: Firecracker (KVM hosts), then QEMU microvm. */
public enum Backend {
    FIRECRACKER("firecracker", "firecracker (https://github.com/firecracker-microvm/firecracker/releases)"),
    QEMU("qemu-system-x86_64", "qemu-system-x86 (apt-get install qemu-system-x86)");

    private final String program;
    private final String installHint;

    Backend(String program, String installHint) {
        this.program = program;
        this.installHint = installHint;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Backend parse(String text) {
        for (Backend b : values()) {
            if (b.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new UserInputException("unknown backend '" + text + "' (qemu or firecracker)");
    }

    /** The installed program, if any, on {@code PATH} of {@code env}. */
    public Optional<Path> find(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin") + File.pathSeparator + "/usr/sbin:/sbin";
        return Executables.find(path, program);
    }

    public Path require(Map<String, String> env) {
        return find(env).orElseThrow(() -> new ToolException(program + " is not installed: install " + installHint));
    }

    /** {@code requested} when given (it must be installed), else the first installed backend. */
    public static Backend choose(Backend requested, Map<String, String> env) {
        if (requested != null) {
            requested.require(env);
            return requested;
        }
        for (Backend b : values()) {
            if (b.find(env).isPresent()) {
                return b;
            }
        }
        throw new ToolException("no microVM monitor is installed: install " + QEMU.installHint + " or " + FIRECRACKER.installHint);
    }
}
