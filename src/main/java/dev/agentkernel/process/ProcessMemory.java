package dev.agentkernel.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a process holds of the host's memory, from {@code /proc}. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Its proportional set size in bytes (shared pages divided among the processes sharing them: what ten
     * monitors restored from one snapshot really cost each); 0 when it is gone or the kernel does not say.
     */
    public static long pssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    String[] fields = line.trim().split("\\s+");
                    return fields.length >= 2 ? Long.parseLong(fields[1]) * 1024 : 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return 0;
    }
}
