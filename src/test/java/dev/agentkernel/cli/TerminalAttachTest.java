package dev.agentkernel.cli;

import dev.agentkernel.testing.DebianImage;
import dev.agentkernel.testing.TmuxSession;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code attach} and {@code exec -it} in a real terminal (tmux), on the Debian image: the prompt of bash, the
 * window size at start and after a resize, Ctrl-C and Ctrl-Z reaching the guest's processes, the shell's exit
 * status coming back, and the host terminal restored afterwards.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TerminalAttachTest {
    private static final Duration SCREEN_WAIT = Duration.ofSeconds(30);
    private static final Pattern PROMPT = Pattern.compile("(?m)^root@[^:]+:/srv# ?$");

    private Path work;
    private Path home;
    private Path agentkernel;

    @BeforeAll
    void createSandbox() throws IOException {
        VmFixtures.requireQemuAndKernel();
        String source = DebianImage.source();
        work = Files.createTempDirectory("ak-tty-test");
        home = work.resolve("home");
        agentkernel = TmuxSession.agentkernelLauncher(work, home);
        CliRun r = CliRun.run(home, "create", "tty", "--image", source, "--accel", "tcg", "--memory", "256");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterAll
    void cleanUp() {
        VmFixtures.tearDown(home, work);
    }

    /** Runs {@code command} in a fresh window, then prints its exit code and whether the terminal is canonical again. */
    private TmuxSession terminal(String command, int cols, int rows) throws IOException {
        return TmuxSession.start(work, cols, rows, command + "; echo \"EXIT=$?\"; stty -a | grep -o -- ' -*icanon'"
                + "; sleep 600");
    }

    private static boolean showsPrompts(String screen, int count) {
        return PROMPT.matcher(screen).results().count() >= count;
    }

    /**
     * Waits until {@code commandLine} runs in the guest: a key sent while bash is still starting it reaches
     * readline instead (a Ctrl-C then interrupts the line, and no ^C is echoed), which a fixed pause cannot rule
     * out on a loaded machine.
     */
    private void awaitGuestProcess(String commandLine) throws InterruptedException {
        java.time.Instant deadline = java.time.Instant.now().plus(SCREEN_WAIT);
        while (guestProcesses(commandLine).isEmpty()) {
            assertThat(java.time.Instant.now()).as("'%s' started in the guest", commandLine).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** The guest's processes whose command line is {@code commandLine}, read from /proc (minbase has no pgrep). */
    private String guestProcesses(String commandLine) {
        return CliRun.shell(home, "tty", "for p in /proc/[0-9]*; do [ \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" = '"
                + commandLine + " ' ] && echo $p; done; true");
    }

    @Test
    void attachGivesBashOnATerminalThatFollowsTheWindowAndPassesControlKeys() throws Exception {
        try (TmuxSession tty = terminal("'" + agentkernel + "' attach tty", 100, 30)) {
            tty.awaitScreen(s -> showsPrompts(s, 1), SCREEN_WAIT);
            tty.sendKeys("echo shell=$0 size=$(stty size)", "Enter");
            tty.awaitScreen(s -> s.contains("shell=/bin/bash size=30 100"), SCREEN_WAIT);

            tty.resize(120, 40);
            tty.sendKeys("echo resized=$(stty size)", "Enter");
            tty.awaitScreen(s -> s.contains("resized=40 120"), SCREEN_WAIT);

            tty.sendKeys("sleep 300", "Enter");
            awaitGuestProcess("sleep 300");
            tty.sendKeys("C-c");
            tty.awaitScreen(s -> s.contains("^C"), SCREEN_WAIT);
            tty.sendKeys("echo interrupted=$?", "Enter");
            tty.awaitScreen(s -> s.contains("interrupted=130"), SCREEN_WAIT);

            tty.sendKeys("sleep 301", "Enter");
            awaitGuestProcess("sleep 301");
            tty.sendKeys("C-z");
            tty.awaitScreen(s -> s.matches("(?s).*Stopped\\s+sleep 301.*"), SCREEN_WAIT);
            tty.sendKeys("kill %1; wait; exit 7", "Enter");
            String end = tty.awaitScreen(s -> s.contains("EXIT="), SCREEN_WAIT);
            assertThat(end).contains("EXIT=7");
            assertThat(tty.awaitScreen(s -> s.contains("icanon"), SCREEN_WAIT))
                    .as("the host terminal is canonical again").containsPattern(" icanon")
                    .doesNotContain("-icanon");
        }
        assertThat(guestProcesses("sleep 300") + guestProcesses("sleep 301"))
                .as("Ctrl-C and kill ended the guest's sleeps").isEmpty();
    }

    @Test
    void execItRunsAsTheNamedUserAndReturnsTheCommandsStatus() throws Exception {
        try (TmuxSession tty = terminal("'" + agentkernel + "' exec -it -u " + DebianImage.USER
                + " tty -- bash -c 'echo me=$(id -un) tty=$(tty); read -r line; echo got=$line; exit 5'", 80, 24)) {
            tty.awaitScreen(s -> s.contains("me=" + DebianImage.USER + " tty=/dev/pts/"), SCREEN_WAIT);
            tty.sendKeys("typed", "Enter");
            String end = tty.awaitScreen(s -> s.contains("EXIT="), SCREEN_WAIT);
            assertThat(end).contains("got=typed").contains("EXIT=5");
        }
    }
}
