package dev.agentkernel.build.dockerfile;

import dev.agentkernel.errors.UserInputException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerIgnoreTest {
    private static boolean excluded(String path, String... patterns) {
        return DockerIgnore.parse(String.join("\n", patterns)).excludes(path);
    }

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "**|file|true",
            "**|dir/file|true",
            "**/|dir/file|true",
            "**/**|dir/file|true",
            "dir/**|dir/file|true",
            "dir/**|dir/dir2/file|true",
            "**/dir|dir|true",
            "**/dir|dir/file|true",
            "**/dir2/*|dir/dir2/file|true",
            "**/dir2/**|dir/dir2/dir3/file|true",
            "**file|file|true",
            "**file|dir/dir/file|true",
            "**/file|dir/dir/file|true",
            "**/file*.txt|dir/dir/file.txt|true",
            "**/**/*.txt2|dir/dir/file.txt|false",
            "**/*.txt|file.txt|true",
            "a**/*.txt|a/dir/dir/file.txt|true",
            "a/*.txt|a/dir/file.txt|false",
            "a/*.txt|a/file.txt|true",
            "a[b-d]e|ae|false",
            "a[b-d]e|ace|true",
            "a[^b-d]e|aze|true",
            ".*|.foo|true",
            ".*|foo|false",
            "abc.def|abcdef|false",
            "abc?def|abcZdef|true",
            "abc?def|abcdef|false",
            "**/foo/bar|foo/bar|true",
            "**/foo/bar|dir/dir2/foo/bar|true",
            "abc/**|abc|false",
            "abc/**|abc/def/ghi|true",
            "**/.foo|.foo|true",
            "**/.foo|bar.foo|false",
            "a(b)c/def|a(b)c/def|true",
            "~a.|)$(}+{bc~|~a.|)$(}+{bc~|true",
            "dist/*.whl|dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl|true",
            "a\\*b|a*b|true",
            "a\\*b|ab|false",
            "*|fileutils.go|true",
            "*.go|fileutils.go|true",
            "a*|ab/c|true",
            "a*/b|abc/b|true",
            "a*/b|a/c/b|false",
            "a?b|a/b|false",
            "a*b|a/b|false",
            "[\\]a]|]|true",
            "[x\\-]|-|true",
            "[x\\-]|z|false",
            "docs|docs/README.md|true",
            "docs/|docs/README.md|true",
            "/docs|docs/README.md|true",
            "./docs/../src|src/main.c|true",
            "  spaced  |spaced|true",
            "*/temp*|somedir/temporary.txt|true",
            "*/temp*|somedir/sub/temporary.txt|false",
            "*/*/temp*|somedir/subdir/temporary.txt|true",
            "temp?|tempa|true",
    })
    void matchesAsTheReference(String pattern, String path, boolean expected) {
        assertThat(excluded(path, pattern)).isEqualTo(expected);
    }

    @Test
    void theLastMatchingPatternWinsAndExceptionsReinclude() {
        String[] rules = {"*.md", "!README*.md", "README-secret.md"};
        assertThat(excluded("CHANGES.md", rules)).isTrue();
        assertThat(excluded("README.md", rules)).isFalse();
        assertThat(excluded("README-secret.md", rules)).isTrue();
        assertThat(excluded("main.go", rules)).isFalse();
        assertThat(excluded("fileutils.go", "!fileutils.go", "*.go")).isTrue();
        assertThat(excluded("fileutils.go", "*.go", "!fileutils.go")).isFalse();
        assertThat(excluded("docs/README.md", "docs", "!docs/README.md")).isFalse();
        assertThat(excluded("docs/other.md", "docs", "!docs/README.md")).isTrue();
        assertThat(excluded("util/docker/web/foo", "**", "!util/docker/web")).isFalse();
        assertThat(excluded("util/docker/web/foo", "**", "!util/docker/web", "util/docker/web/foo")).isTrue();
        assertThat(excluded("dist/x.whl", "**", "!dist/*.whl")).isFalse();
    }

    @Test
    void commentsBlankLinesAndTheRootAreNeverPatterns() {
        DockerIgnore ignore = DockerIgnore.parse("\uFEFF# comment\n\n   \n#*.go\n node_modules \n");
        assertThat(ignore.patterns()).extracting(IgnorePattern::toString).containsExactly("node_modules");
        assertThat(ignore.excludes("main.go")).isFalse();
        assertThat(ignore.excludes("node_modules/x/y.js")).isTrue();
        assertThat(DockerIgnore.parse("*").excludes(".")).isFalse();
        assertThat(DockerIgnore.parse(" # not a comment").excludes("# not a comment")).isTrue();
    }

    @Test
    void malformedPatternsNameTheirLine() {
        assertThatThrownBy(() -> DockerIgnore.parse("ok\n!\n")).isInstanceOf(UserInputException.class)
                .hasMessageContaining(".dockerignore line 2").hasMessageContaining("illegal exclusion pattern");
        for (String bad : List.of("[", "a[", "[^", "[^bc", "[]a]", "[-]", "[x-]", "[-x]", "[a-b-c]", "x\\")) {
            assertThatThrownBy(() -> DockerIgnore.parse("# c\n" + bad)).as(bad).isInstanceOf(UserInputException.class)
                    .hasMessageContaining(".dockerignore line 2");
        }
    }

    @Test
    void directoriesCanBeSkippedOnlyWithoutExceptions() {
        assertThat(DockerIgnore.parse("build\n").canSkipDirectory("build")).isTrue();
        assertThat(DockerIgnore.parse("build\n").canSkipDirectory("src")).isFalse();
        assertThat(DockerIgnore.parse("build\n!build/keep\n").canSkipDirectory("build")).isFalse();
    }

    @Test
    void theDockerfileSpecificIgnoreFileWins(@TempDir Path ctx) throws Exception {
        Path dockerfile = ctx.resolve("app.Dockerfile");
        Files.writeString(dockerfile, "FROM scratch\n");
        assertThat(DockerIgnore.forBuild(ctx, dockerfile).patterns()).isEmpty();
        Files.writeString(ctx.resolve(".dockerignore"), "common\n");
        assertThat(DockerIgnore.forBuild(ctx, dockerfile).excludes("common")).isTrue();
        Files.writeString(ctx.resolve("app.Dockerfile.dockerignore"), "specific\n");
        DockerIgnore specific = DockerIgnore.forBuild(ctx, dockerfile);
        assertThat(specific.excludes("specific")).isTrue();
        assertThat(specific.excludes("common")).isFalse();
    }

    @Property
    void aLiteralPatternExcludesItselfAndEverythingBelowIt(@ForAll("names") List<String> components,
                                                          @ForAll("names") List<String> below) {
        String dir = String.join("/", components);
        DockerIgnore ignore = DockerIgnore.parse(dir);
        assertThat(ignore.excludes(dir)).isTrue();
        assertThat(ignore.excludes(dir + "/" + String.join("/", below))).isTrue();
        assertThat(ignore.excludes(dir + "x")).isFalse();
        assertThat(DockerIgnore.parse(dir + "\n!" + dir).excludes(dir + "/" + String.join("/", below))).isFalse();
    }

    @Property
    void doubleStarPrefixMatchesAtAnyDepth(@ForAll("names") List<String> parents, @ForAll("name") String leaf) {
        String path = parents.isEmpty() ? leaf : String.join("/", parents) + "/" + leaf;
        assertThat(DockerIgnore.parse("**/" + leaf).excludes(path)).isTrue();
        // a parent named like the other pattern is matched by it, and everything below with it
        net.jqwik.api.Assume.that(!parents.contains(leaf + "q"));
        assertThat(DockerIgnore.parse("**/" + leaf + "q").excludes(path)).isFalse();
    }

    @Provide
    Arbitrary<String> name() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars("_-").ofMinLength(1).ofMaxLength(6);
    }

    @Provide
    Arbitrary<List<String>> names() {
        return name().list().ofMinSize(1).ofMaxSize(4);
    }
}
