package dev.agentkernel.copy;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.sandbox.SandboxName;

/**
 * One side of {@code cp}, read as {@code docker cp} reads it: {@code -} is a tar stream (stdin or stdout);
 * {@code NAME:PATH} a path in a sandbox, taken from the guest's {@code /} when relative; anything else a path
 * on the host. A host path with a colon is written so that it is not read as a sandbox: absolute, or starting
 * with {@code .} ({@code ./file:name}).
 */
public sealed interface CopyLocation {
    record Host(CopyPath path) implements CopyLocation {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    record Guest(SandboxName sandbox, CopyPath path) implements CopyLocation {
        @Override
        public String toString() {
            return sandbox + ":" + path;
        }
    }

    record Stream() implements CopyLocation {
        @Override
        public String toString() {
            return "-";
        }
    }

    static CopyLocation parse(String arg) {
        if (arg.equals("-")) {
            return new Stream();
        }
        int colon = arg.indexOf(':');
        if (arg.startsWith("/") || arg.startsWith(".") || colon < 0) {
            return new Host(CopyPath.of(arg));
        }
        String name = arg.substring(0, colon);
        SandboxName sandbox;
        try {
            sandbox = SandboxName.of(name);
        } catch (UserInputException e) {
            throw new UserInputException("bad sandbox name in " + Quote.name(arg) + ": " + e.getMessage()
                    + " (a host path with a colon is written ./" + arg + ")");
        }
        String path = arg.substring(colon + 1);
        return new Guest(sandbox, CopyPath.of(path.startsWith("/") ? path : "/" + path));
    }
}
