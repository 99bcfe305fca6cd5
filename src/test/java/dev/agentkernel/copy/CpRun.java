package dev.agentkernel.copy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agentkernel cp} in a JVM of its own with a given heap limit, stdin from a file (or /dev/null) and
 * stdout to a file, as a shell pipeline runs it: the exit code, stderr and how long it took.
 */
record CpRun(int exitCode, String err, long millis) {
    static CpRun run(Path home, String heap, Path stdin, Path stdout, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.agentkernel.cli.Main", "cp"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(home.getParent(), "cp-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()))
                .redirectError(err.toFile());
        pb.environment().put("AGENTKERNEL_HOME", home.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                throw new AssertionError("agentkernel cp " + String.join(" ", args) + " did not end in 10 minutes");
            }
        } finally {
            p.destroyForcibly();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String text = Files.readString(err);
        Files.delete(err);
        return new CpRun(p.exitValue(), text, millis);
    }

    /** The lines on stderr. */
    List<String> errLines() {
        return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }
}
