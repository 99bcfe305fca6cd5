package dev.agentkernel.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds programs the way a shell does: the first executable file of that name on a search path. */
public final class Executables {
    private Executables() {
    }

    /** {@code program} in the first directory of {@code searchPath} (':'-separated) that has it, as an absolute path. */
    public static Optional<Path> find(String searchPath, String program) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
