package dev.agentkernel.copy;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import static dev.agentkernel.copy.CopyRules.Existing.DIRECTORY;
import static dev.agentkernel.copy.CopyRules.Existing.NOTHING;
import static dev.agentkernel.copy.CopyRules.Existing.OTHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker cp's documented rules, case by case, and how its arguments are read. */
class CopyRulesTest {
    private static String target(String src, boolean srcDir, String dst, CopyRules.Existing existing) {
        CopyPath d = CopyPath.of(dst);
        return CopyRules.target(CopyPath.of(src), srcDir, d, d.path(), existing);
    }

    @Test
    void aFileGoesToAMissingDestinationReplacesAFileAndGoesIntoADirectory() {
        assertThat(target("/a/f.txt", false, "/out/g.txt", NOTHING)).isEqualTo("/out/g.txt");
        assertThat(target("/a/f.txt", false, "/out/g.txt", OTHER)).isEqualTo("/out/g.txt");
        assertThat(target("/a/f.txt", false, "/out", DIRECTORY)).isEqualTo("/out/f.txt");
        assertThat(target("/a/f.txt", false, "/out/", DIRECTORY)).isEqualTo("/out/f.txt");
        assertThat(target("/a/f.txt", false, "/", DIRECTORY)).isEqualTo("/f.txt");
    }

    @Test
    void aFileOntoAMissingDirectoryOrAFileWrittenAsADirectoryIsAnError() {
        assertThatThrownBy(() -> target("/a/f.txt", false, "/out/", NOTHING)).isInstanceOf(UserInputException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> target("/a/f.txt", false, "/out/", OTHER)).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> target("/a/f.txt/", false, "/out", DIRECTORY)).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> target("/a/f.txt/.", false, "/out", DIRECTORY)).hasMessageContaining("is not a directory");
    }

    @Test
    void aDirectoryIsMadeGoesIntoADirectoryOrMergesItsContentsWithSlashDot() {
        assertThat(target("/a/d", true, "/out/new", NOTHING)).isEqualTo("/out/new");
        assertThat(target("/a/d/", true, "/out/new/", NOTHING)).isEqualTo("/out/new");
        assertThat(target("/a/d", true, "/out", DIRECTORY)).isEqualTo("/out/d");
        assertThat(target("/a/d/", true, "/out", DIRECTORY)).isEqualTo("/out/d");
        assertThat(target("/a/d/.", true, "/out", DIRECTORY)).isEqualTo("/out");
        assertThat(target("/a/d/.", true, "/out/new", NOTHING)).isEqualTo("/out/new");
        assertThat(target("/", true, "/out", DIRECTORY)).isEqualTo("/out");
        assertThatThrownBy(() -> target("/a/d", true, "/out/f", OTHER)).hasMessageContaining("onto file");
    }

    @Test
    void pathsAreCleanedAndKeepTheirEndings() {
        assertThat(CopyPath.of("/a//b/./c/")).isEqualTo(new CopyPath("/a/b/c", true, false));
        assertThat(CopyPath.of("/a/b/.")).isEqualTo(new CopyPath("/a/b", true, true));
        assertThat(CopyPath.of("/a/../../b")).isEqualTo(new CopyPath("/b", false, false));
        assertThat(CopyPath.of("rel/../x")).isEqualTo(new CopyPath("x", false, false));
        assertThat(CopyPath.of(".")).isEqualTo(new CopyPath(".", true, true));
        assertThat(CopyPath.of("/")).isEqualTo(new CopyPath("/", false, false));
        assertThatThrownBy(() -> CopyPath.of("a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void argumentsAreReadAsDockerReadsThem() {
        assertThat(CopyLocation.parse("-")).isInstanceOf(CopyLocation.Stream.class);
        assertThat(CopyLocation.parse("box:/tmp/x")).isEqualTo(new CopyLocation.Guest(
                dev.agentkernel.sandbox.SandboxName.of("box"), CopyPath.of("/tmp/x")));
        assertThat(CopyLocation.parse("box:tmp/x/.")).isEqualTo(new CopyLocation.Guest(
                dev.agentkernel.sandbox.SandboxName.of("box"), CopyPath.of("/tmp/x/.")));
        assertThat(CopyLocation.parse("box:")).isEqualTo(new CopyLocation.Guest(
                dev.agentkernel.sandbox.SandboxName.of("box"), CopyPath.of("/")));
        assertThat(CopyLocation.parse("./file:name")).isEqualTo(new CopyLocation.Host(CopyPath.of("./file:name")));
        assertThat(CopyLocation.parse("/abs/file:name")).isInstanceOf(CopyLocation.Host.class);
        assertThat(CopyLocation.parse("plain")).isEqualTo(new CopyLocation.Host(CopyPath.of("plain")));
        assertThatThrownBy(() -> CopyLocation.parse("bad name:/x")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("./bad name:/x");
    }
}
