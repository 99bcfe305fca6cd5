package dev.agentkernel.sandbox;

import dev.agentkernel.store.AgentkernelHome;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tops a pool up after a claim without making the claimer wait: starts {@code agentkernel pool fill ID} in a
 * session of its own (it outlives the command that took the sandbox, and its Ctrl-C), on this JVM with its
 * class path and its memory and class-data options, output appended to the pool's {@code fill.log}. The fill
 * is bounded by its own waits; a failed one leaves the pool short until the next claim or {@code pool set}.
 */
final class PoolRefill implements Consumer<String> {
    private static final String MAIN = "dev.agentkernel.cli.Main";

    private final AgentkernelHome home;
    private final Path poolsRoot;

    PoolRefill(AgentkernelHome home) {
        this.home = home;
        this.poolsRoot = home.root().resolve("pools");
    }

    @Override
    public void accept(String poolId) {
        List<String> argv = new ArrayList<>(List.of("setsid", Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        // this JVM's own options, from /proc/self/cmdline (java.management would cost the claimer 40 ms)
        String[] own = ProcessHandle.current().info().arguments().orElse(new String[0]);
        for (int i = 0; i < own.length; i++) {
            String option = own[i];
            if (option.equals("-cp") || option.equals("-classpath") || option.equals("--class-path")) {
                i++;
                continue;
            }
            if (!option.startsWith("-") || option.equals("-jar")) {
                break; // the main class or jar: what follows is the program's arguments
            }
            if (option.startsWith("-XX:") || option.startsWith("-Xshare") || option.startsWith("-Xlog:cds")
                    || option.startsWith("-Xms") || option.startsWith("-Xmx")) {
                argv.add(option);
            }
        }
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN, "pool", "fill", poolId));
        Path log = poolsRoot.resolve(poolId).resolve("fill.log");
        try {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            builder.environment().put("AGENTKERNEL_HOME", home.root().toString());
            if (Files.isRegularFile(log) && Files.size(log) > (1 << 20)) {
                Files.delete(log); // only the last fills' messages matter
            }
            builder.start();
        } catch (IOException e) {
            // the pool stays one short until the next claim or pool set; the claimed sandbox is unaffected
        }
    }
}
