package dev.agentkernel.builder;

import dev.agentkernel.build.dockerfile.DockerfileException;
import dev.agentkernel.build.dockerfile.Line;

import java.util.Optional;

/**
 * {@code --chown} and {@code --chmod} of COPY/ADD. A name is looked up in the stage's {@code /etc/passwd} and
 * {@code /etc/group}; a user without a group uses the same number for both, as the reference says.
 */
record Ownership(long uid, long gid, Integer mode, boolean explicit) {
    Ownership(long uid, long gid, Integer mode) {
        this(uid, gid, mode, true);
    }

    static Ownership of(Optional<String> chown, Optional<String> chmod, StateTree state, Line line) {
        long uid = 0;
        long gid = 0;
        if (chown.isPresent() && !chown.get().isEmpty()) {
            String spec = chown.get();
            int colon = spec.indexOf(':');
            String user = colon < 0 ? spec : spec.substring(0, colon);
            String group = colon < 0 ? null : spec.substring(colon + 1);
            uid = id(user, "etc/passwd", state, line, "user");
            gid = group == null ? uid : id(group, "etc/group", state, line, "group");
        }
        Integer mode = null;
        if (chmod.isPresent()) {
            String m = chmod.get();
            if (!m.matches("[0-7]{1,4}")) {
                throw new DockerfileException(line.start(), "--chmod=" + m + " is not an octal mode (symbolic modes are not"
                        + " supported by the native builder)");
            }
            mode = Integer.parseInt(m, 8);
        }
        return new Ownership(uid, gid, mode, chown.isPresent() && !chown.get().isEmpty());
    }

    /**
     * The owner of what runs as USER {@code spec} ({@code NAME}, {@code UID}, {@code NAME:GROUP}, ...): a name
     * without a group takes its primary group from {@code /etc/passwd}; a number without one, group 0.
     */
    static Ownership forUser(String spec, StateTree state, Line line) {
        if (spec.isEmpty()) {
            return new Ownership(0, 0, null);
        }
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        long uid = id(user, "etc/passwd", state, line, "user");
        if (colon >= 0) {
            return new Ownership(uid, id(spec.substring(colon + 1), "etc/group", state, line, "group"), null);
        }
        long gid = 0;
        for (String row : state.keptText("etc/passwd").orElse("").split("\n")) {
            String[] f = row.split(":", -1);
            if (f.length >= 4 && (f[0].equals(user) || f[2].equals(user)) && f[3].matches("[0-9]+")) {
                gid = Long.parseLong(f[3]);
                break;
            }
        }
        return new Ownership(uid, gid, null);
    }

    private static long id(String name, String file, StateTree state, Line line, String what) {
        if (name.matches("[0-9]+")) {
            return Long.parseLong(name);
        }
        String text = state.keptText(file).orElseThrow(() -> new DockerfileException(line.start(),
                "--chown: cannot look up " + what + " '" + name + "': the image has no /" + file));
        for (String row : text.split("\n")) {
            String[] f = row.split(":", -1);
            if (f.length >= 3 && f[0].equals(name) && f[2].matches("[0-9]+")) {
                return Long.parseLong(f[2]);
            }
        }
        throw new DockerfileException(line.start(), "--chown: no " + what + " '" + name + "' in the image's /" + file);
    }
}
