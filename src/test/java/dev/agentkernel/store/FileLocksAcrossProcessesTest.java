package dev.agentkernel.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two processes, each with one thread holding a lock and another waiting for the other process's lock: the
 * kernel sees a process-level cycle and refuses the last wait with EDEADLK although no thread waits for itself.
 * FileLocks must wait it out instead of failing.
 */
class FileLocksAcrossProcessesTest {
    @TempDir
    Path dir;

    /** The child: takes B, says so, waits for the word, then takes A (closing the process-level "cycle"). */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (FileLocks.Held b = FileLocks.exclusive(Path.of(args[1]))) {
            System.out.println("holding B");
            System.out.flush();
            in.readLine();
            try (FileLocks.Held a = FileLocks.exclusive(Path.of(args[0]))) {
                System.out.println("holding A");
                System.out.flush();
            }
        }
    }

    @Test
    @Timeout(60)
    void aFalseDeadlockBetweenProcessesIsWaitedOut() throws Exception {
        Path lockA = dir.resolve("a.lock");
        Path lockB = dir.resolve("b.lock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                FileLocksAcrossProcessesTest.class.getName(), lockA.toString(), lockB.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (FileLocks.Held a = FileLocks.exclusive(lockA)) {
            BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(childOut.readLine()).isEqualTo("holding B");
            CompletableFuture<Void> waitForB = CompletableFuture.runAsync(() -> {
                try (FileLocks.Held b = FileLocks.exclusive(lockB)) {
                    // got it once the child is done
                }
            });
            Thread.sleep(300); // let this process's thread block on B before the child asks for A
            Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            toChild.write("go\n");
            toChild.flush();
            Thread.sleep(500); // the child's request for A is refused with EDEADLK meanwhile, and must be retried
            a.close();
            assertThat(childOut.readLine()).isEqualTo("holding A");
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            waitForB.get(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
    }
}
