package dev.agentkernel.agent;

import dev.agentkernel.testing.RequiredTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guest agent's libFuzzer target (guest/fuzz/agent_input_fuzz.c: framing, JSON, fields, environment, entry
 * paths, base64; ASan and UBSan, every finding fatal), built with clang and run for a bounded time,
 * {@value #DEFAULT_SECONDS} s ({@code -Dfuzz.guest.seconds}), from the corpus kept in guest/fuzz/corpus, with a
 * printed seed ({@code -Dfuzz.guest.seed} repeats one). New inputs go to a temporary directory, not the
 * repository. The inputs in guest/fuzz/regressions, and the large ones made here, are replayed each time.
 */
@Tag("fuzz")
class GuestFuzzTest {
    static final int DEFAULT_SECONDS = 60;
    /** Far below what a quiet machine does (about 10,000 a second): the run did not just start and stop. */
    static final long MIN_RUNS = 20_000;

    static Path binary;

    @BeforeAll
    static void build(@TempDir Path dir) throws Exception {
        Path clang = RequiredTools.require("clang");
        Path out = Path.of("target", "guest-fuzz").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("sh", Path.of("guest", "fuzz", "build.sh").toString(), out.toString());
        pb.environment().put("CLANG", clang.toString());
        Result r = run(pb, dir.resolve("build.log"), 300);
        if (r.exit != 0) {
            // a clang without its libFuzzer runtime (Debian's libclang-rt-14-dev) fails here
            RequiredTools.unavailable("guest/fuzz/build.sh failed (scripts/install-deps installs clang and its"
                    + " libFuzzer runtime):\n" + r.output);
        }
        binary = out.resolve("agent_input_fuzz");
    }

    /**
     * libFuzzer's RSS limit reads the process's peak RSS (getrusage), which a child started from this JVM
     * inherits across exec: a surefire JVM of 1.5 GB made the fuzzer fail at its first input. So the watchdog is
     * off and every single allocation is bounded instead (what a guest could make the agent ask for at once).
     */
    private static final String RSS_LIMIT = "-rss_limit_mb=0";
    private static final String MALLOC_LIMIT = "-malloc_limit_mb=512";

    @Test
    void theAgentsInputCodeSurvivesTheFuzzerForABoundedTime(@TempDir Path work) throws Exception {
        int seconds = Integer.getInteger("fuzz.guest.seconds", DEFAULT_SECONDS);
        long seed = Long.getLong("fuzz.guest.seed", System.currentTimeMillis() % 1_000_000_000L + 1);
        Path corpus = Files.createDirectories(work.resolve("corpus"));
        Path artifacts = Files.createDirectories(work.resolve("artifacts"));
        ProcessBuilder pb = new ProcessBuilder(binary.toString(),
                "-seed=" + seed, "-max_total_time=" + seconds, "-timeout=5", RSS_LIMIT, MALLOC_LIMIT,
                "-max_len=65536", "-print_final_stats=1", "-artifact_prefix=" + artifacts + "/",
                corpus.toString(), Path.of("guest", "fuzz", "corpus").toString());
        Result r = run(pb, work.resolve("fuzz.log"), seconds + 120L);
        String stats = String.join("; ", grep(r.output, "^stat::.*|^Done .*"));
        System.out.println("guest fuzz: seed " + seed + ", " + seconds + " s: " + stats);
        assertThat(r.exit).as("agent_input_fuzz -seed=%d found a fault (the input is in %s):%n%s", seed,
                artifacts, tail(r.output)).isZero();
        Matcher done = Pattern.compile("Done (\\d+) runs").matcher(r.output);
        assertThat(done.find()).as(tail(r.output)).isTrue();
        assertThat(Long.parseLong(done.group(1))).as("runs in %d s", seconds).isGreaterThanOrEqualTo(MIN_RUNS);
    }

    @Test
    void regressionsAndLargeInputsReplayCleanlyAndQuickly(@TempDir Path work) throws Exception {
        List<String> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("guest", "fuzz", "regressions"))) {
            files.sorted().forEach(f -> inputs.add(f.toString()));
        }
        assertThat(inputs).isNotEmpty();
        // too large to keep in the repository: 100,000 environment names (minutes before the index by name),
        // 262,000 empty strings (the most values a frame may have), a stream of 20,000 frames in one piece
        inputs.add(write(work.resolve("env-100k"), "\0{\"env\":{" + join(100_000, i -> "\"K" + i + "\":\"\"") + "}}"));
        inputs.add(write(work.resolve("strings-262k"), "\0[" + join(262_000, i -> "\"\"") + "]"));
        StringBuilder frames = new StringBuilder("\u0001");
        for (int i = 0; i < 20_000; i++) {
            String payload = "{\"id\":" + i + ",\"type\":\"ping\"}";
            frames.append((char) payload.length()).append("\0\0\0").append(payload);
        }
        inputs.add(write(work.resolve("frames-20k"), frames.toString()));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-timeout=60", RSS_LIMIT, MALLOC_LIMIT));
        command.addAll(inputs);
        Result r = run(new ProcessBuilder(command), work.resolve("replay.log"), 300);
        assertThat(r.exit).as(tail(r.output)).isZero();
        assertThat(grep(r.output, "^Executed .*")).hasSize(inputs.size());
    }

    private static String join(int n, java.util.function.IntFunction<String> item) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(item.apply(i));
        }
        return b.toString();
    }

    private static String write(Path file, String latin1) throws IOException {
        Files.write(file, latin1.getBytes(StandardCharsets.ISO_8859_1));
        return file.toString();
    }

    record Result(int exit, String output) {
    }

    /** Runs a process to its end (killed by PID after timeoutSeconds), its output merged into log. */
    private static Result run(ProcessBuilder pb, Path log, long timeoutSeconds) throws Exception {
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError(pb.command().get(0) + " did not end within " + timeoutSeconds + " s:\n"
                        + tail(Files.readString(log, StandardCharsets.ISO_8859_1)));
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
    }

    private static List<String> grep(String text, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return text.lines().filter(l -> pattern.matcher(l).matches()).toList();
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
