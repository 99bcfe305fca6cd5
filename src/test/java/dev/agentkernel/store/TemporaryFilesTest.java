package dev.agentkernel.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Temporaries of processes that are gone are swept; those of live processes, whatever their age, are not. */
class TemporaryFilesTest {
    @TempDir
    Path dir;

    @Test
    void onlyTemporariesOfDeadOwnersAreSwept() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        long pid = sleeper.pid();
        long started = sleeper.info().startInstant().orElseThrow().toEpochMilli();
        sleeper.destroyForcibly(); // SIGKILL, as a killed agentkernel
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();

        Path dead = Files.createFile(dir.resolve(".key.json.pid" + pid + "at" + started + ".123.tmp"));
        Path deadExport = Files.createFile(dir.resolve("export-pid" + pid + "at" + started + "-456.tar"));
        Path live = Files.createFile(dir.resolve(".key.json." + TemporaryFiles.ownerTag() + ".789.tmp"));
        long self = ProcessHandle.current().pid();
        Path reusedPid = Files.createFile(dir.resolve(".other.json.pid" + self + "at1000.1.tmp"));
        Path unownedOld = Files.createFile(dir.resolve(".old.json.42.tmp"));
        Files.setLastModifiedTime(unownedOld, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path unownedNew = Files.createFile(dir.resolve(".new.json.43.tmp"));
        Files.setLastModifiedTime(live, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

        List<Path> swept = TemporaryFiles.sweep(dir, ".*.tmp");
        assertThat(swept).containsExactlyInAnyOrder(dead, reusedPid, unownedOld);
        assertThat(TemporaryFiles.sweep(dir, "export-*.tar")).containsExactly(deadExport);
        assertThat(live).exists();
        assertThat(unownedNew).exists();
    }

    @Test
    void atomicWritesNameTheirOwner() throws Exception {
        Path target = dir.resolve("record.json");
        AtomicFiles.write(target, out -> {
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).singleElement().satisfies(p -> assertThat(p.getFileName().toString())
                        .startsWith(".record.json." + TemporaryFiles.ownerTag() + "."));
            }
            out.write('x');
        });
        assertThat(Files.readString(target)).isEqualTo("x");
    }
}
