package dev.agentkernel.build.dockerfile;

import dev.agentkernel.build.dockerfile.Instruction.Add;
import dev.agentkernel.build.dockerfile.Instruction.Arg;
import dev.agentkernel.build.dockerfile.Instruction.ArgDefinition;
import dev.agentkernel.build.dockerfile.Instruction.Cmd;
import dev.agentkernel.build.dockerfile.Instruction.Copy;
import dev.agentkernel.build.dockerfile.Instruction.Entrypoint;
import dev.agentkernel.build.dockerfile.Instruction.Env;
import dev.agentkernel.build.dockerfile.Instruction.Expose;
import dev.agentkernel.build.dockerfile.Instruction.From;
import dev.agentkernel.build.dockerfile.Instruction.Healthcheck;
import dev.agentkernel.build.dockerfile.Instruction.InlineSource;
import dev.agentkernel.build.dockerfile.Instruction.KeyValue;
import dev.agentkernel.build.dockerfile.Instruction.Label;
import dev.agentkernel.build.dockerfile.Instruction.Maintainer;
import dev.agentkernel.build.dockerfile.Instruction.Onbuild;
import dev.agentkernel.build.dockerfile.Instruction.Run;
import dev.agentkernel.build.dockerfile.Instruction.Shell;
import dev.agentkernel.build.dockerfile.Instruction.StopSignal;
import dev.agentkernel.build.dockerfile.Instruction.User;
import dev.agentkernel.build.dockerfile.Instruction.Volume;
import dev.agentkernel.build.dockerfile.Instruction.Workdir;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerfileParserTest {
    private static List<Instruction> parse(String text) {
        return Dockerfile.parse(text).instructions();
    }

    private static <T extends Instruction> T only(String text, Class<T> type) {
        List<Instruction> all = parse("FROM scratch\n" + text);
        assertThat(all).hasSize(2);
        return type.cast(all.get(1));
    }

    private static void failsAt(String text, int line, String messagePart) {
        assertThatThrownBy(() -> Dockerfile.parse(text))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile line " + line + ": ")
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((DockerfileException) e).line()).isEqualTo(line))
                .satisfies(e -> assertThat(((DockerfileException) e).exitCode()).isEqualTo(2));
    }

    @Nested
    class Directives {
        @Test
        void escapeBacktickChangesContinuationAndLeavesBackslashLiteral() {
            Dockerfile f = Dockerfile.parse("""
                    # escape=`
                    FROM scratch
                    RUN echo C:\\path `
                        more
                    COPY a\\b c\\
                    """);
            assertThat(f.directives().escape()).isEqualTo('`');
            Run run = (Run) f.instructions().get(1);
            assertThat(run.command().args()).containsExactly("echo C:\\path     more");
            assertThat(run.line().start()).isEqualTo(3);
            assertThat(run.line().end()).isEqualTo(4);
            Copy copy = (Copy) f.instructions().get(2);
            assertThat(copy.destination()).isEqualTo("c\\");
        }

        @Test
        void syntaxAndCheckAreKeptAndChangeNothing() {
            Dockerfile f = Dockerfile.parse("# syntax=docker/dockerfile:1.7\n#check=skip=all\nFROM scratch\n");
            assertThat(f.directives().syntax()).contains("docker/dockerfile:1.7");
            assertThat(f.directives().check()).contains("skip=all");
            assertThat(f.directives().escape()).isEqualTo('\\');
        }

        @Test
        void directivesAreCaseInsensitiveAndAllowSpaces() {
            Dockerfile f = Dockerfile.parse("#  ESCAPE = `  \nFROM scratch\n");
            assertThat(f.directives().escape()).isEqualTo('`');
        }

        @Test
        void aDirectiveAfterACommentOrABlankLineOrAnInstructionIsAComment() {
            assertThat(Dockerfile.parse("# a comment\n# escape=`\nFROM scratch\n").directives().escape()).isEqualTo('\\');
            assertThat(Dockerfile.parse("\n# escape=`\nFROM scratch\n").directives().escape()).isEqualTo('\\');
            assertThat(Dockerfile.parse("FROM scratch\n# escape=`\n").directives().escape()).isEqualTo('\\');
            assertThat(Dockerfile.parse("# unknown=1\n# escape=`\nFROM scratch\n").directives().escape()).isEqualTo('\\');
        }

        @Test
        void aRepeatedDirectiveIsAnError() {
            failsAt("# escape=\\\n# escape=`\nFROM scratch\n", 2, "only one escape parser directive");
        }

        @Test
        void anEscapeOtherThanBackslashOrBacktickIsAnError() {
            failsAt("# escape=x\nFROM scratch\n", 1, "invalid escape token 'x'");
        }

        @Test
        void aByteOrderMarkIsSkipped() {
            Dockerfile f = Dockerfile.parse("\uFEFF# escape=`\nFROM scratch\n");
            assertThat(f.directives().escape()).isEqualTo('`');
        }
    }

    @Nested
    class LinesAndComments {
        @Test
        void commentsAndBlankLinesAreSkippedAndLineNumbersKept() {
            List<Instruction> all = parse("""
                    # comment

                      # indented comment
                    FROM scratch
                        ENV A=1
                    """);
            assertThat(all.get(0).line().start()).isEqualTo(4);
            assertThat(all.get(1).line().start()).isEqualTo(5);
            assertThat(all.get(1).line().text()).isEqualTo("ENV A=1");
        }

        @Test
        void continuationsJoinLinesKeepingTheirLeadingWhitespaceAndSkipComments() {
            Run run = only("""
                    RUN apt-get update && \\
                    # a comment inside the instruction
                        apt-get install -y \\  \t
                      curl
                    """, Run.class);
            assertThat(run.command().args()).containsExactly("apt-get update &&     apt-get install -y   curl");
            assertThat(run.line().start()).isEqualTo(2);
            assertThat(run.line().end()).isEqualTo(5);
        }

        @Test
        void emptyContinuationLinesAreSkippedWithAWarning() {
            Dockerfile f = Dockerfile.parse("FROM scratch\nRUN a \\\n\n   \n  b\n");
            assertThat(((Run) f.instructions().get(1)).command().args()).containsExactly("a   b");
            assertThat(f.warnings()).singleElement().asString().contains("line 2").contains("empty continuation");
        }

        @Test
        void anEscapedEscapeAtTheEndDoesNotContinue() {
            List<Instruction> all = parse("FROM scratch\nRUN echo a\\\\\nRUN echo b\n");
            assertThat(all).hasSize(3);
            assertThat(((Run) all.get(1)).command().args()).containsExactly("echo a\\\\");
        }

        @Test
        void aLineOfOnlyTheEscapeContinues() {
            List<Instruction> all = parse("FROM scratch\n\\\nRUN x\n");
            assertThat(all).hasSize(2);
            assertThat(all.get(1).line().start()).isEqualTo(2);
        }

        @Test
        void aContinuationAtTheEndOfTheFileEndsTheInstruction() {
            Run run = only("RUN echo a \\", Run.class);
            assertThat(run.command().args()).containsExactly("echo a");
        }

        @Test
        void windowsLineEndingsAreAccepted() {
            List<Instruction> all = parse("FROM scratch\r\nRUN a \\\r\n b\r\n");
            assertThat(((Run) all.get(1)).command().args()).containsExactly("a  b");
        }

        @Test
        void anEmptyFileOrOneWithOnlyCommentsHasNoInstructions() {
            failsAt("", 1, "file with no instructions");
            failsAt("# only\n\n", 2, "file with no instructions");
        }

        @Test
        void instructionsAreCaseInsensitive() {
            List<Instruction> all = parse("from scratch AS Base\nrun echo\nCoPy a b\n");
            assertThat(((From) all.get(0)).stageName()).contains("base");
            assertThat(all.get(1)).isInstanceOf(Run.class);
            assertThat(all.get(2)).isInstanceOf(Copy.class);
        }
    }

    @Nested
    class Errors {
        @Test
        void anUnknownInstructionNamesItsLine() {
            failsAt("FROM scratch\n\nRUNN echo\n", 3, "unknown instruction: RUNN");
        }

        @Test
        void anInstructionBeforeFromIsAnError() {
            failsAt("ARG A=1\nRUN echo\nFROM scratch\n", 2, "RUN before the first FROM");
        }

        @Test
        void aFileWithoutFromIsAnError() {
            failsAt("ARG A=1\nARG B\n", 2, "no FROM");
        }

        @Test
        void anErrorInAContinuedInstructionNamesItsFirstLine() {
            failsAt("FROM scratch\nCOPY \\\n  --chmod=644 \\\n  --bogus=1 a b\n", 2, "unknown flag --bogus for COPY");
        }

        @Test
        void flagsOnInstructionsWithoutFlagsAreErrors() {
            failsAt("FROM scratch\nENV --x=1 A=1\n", 2, "unknown flag --x for ENV (it takes no flags)");
            failsAt("FROM scratch\nWORKDIR --x /a\n", 2, "unknown flag --x");
        }

        @Test
        void flagValueErrors() {
            failsAt("FROM scratch\nCOPY --chown a b\n", 2, "missing a value on flag: --chown");
            failsAt("FROM scratch\nCOPY --link=maybe a b\n", 2, "expecting boolean value for flag --link");
            failsAt("FROM scratch\nCOPY --from=a --from=b a b\n", 2, "duplicate flag specified: --from");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "FROM|FROM requires either one or three arguments",
                "FROM a b|FROM requires either one or three arguments",
                "FROM a AS 1x|invalid name for build stage",
                "COPY onlyone|COPY requires at least two arguments",
                "ADD|ADD requires at least two arguments",
                "ENV|ENV requires at least one argument",
                "ENV A|ENV must have two arguments",
                "ENV A=1 B|can't find = in \"B\"",
                "ENV =1|ENV names can not be blank",
                "LABEL|LABEL requires at least one argument",
                "ARG|ARG requires at least one argument",
                "ARG =x|ARG names can not be blank",
                "EXPOSE|EXPOSE requires at least one argument",
                "USER|USER requires exactly one argument",
                "WORKDIR|WORKDIR requires exactly one argument",
                "VOLUME|VOLUME requires at least one argument",
                "VOLUME [\"\"]|VOLUME specified can not be an empty string",
                "SHELL /bin/sh -c|SHELL requires the arguments to be in JSON form",
                "SHELL []|SHELL requires at least one argument",
                "CMD [\"a\", 1]|arrays must be comprised of strings only",
                "HEALTHCHECK|HEALTHCHECK requires at least one argument",
                "HEALTHCHECK NONE x|HEALTHCHECK NONE takes no arguments",
                "HEALTHCHECK CHECK x|unknown type \"CHECK\"",
                "HEALTHCHECK CMD|missing command after HEALTHCHECK CMD",
                "HEALTHCHECK --interval=5 CMD x|missing unit in duration",
                "HEALTHCHECK --interval=10ns CMD x|cannot be less than 1ms",
                "HEALTHCHECK --retries=-1 CMD x|--retries cannot be negative",
                "ONBUILD|ONBUILD requires at least one argument",
                "ONBUILD ONBUILD RUN x|chaining ONBUILD",
                "ONBUILD FROM x|FROM isn't allowed as an ONBUILD trigger",
                "ONBUILD MAINTAINER x|MAINTAINER isn't allowed as an ONBUILD trigger",
                "RUN --network=bridge x|invalid network mode \"bridge\"",
                "RUN --security=root x|security \"root\" is not valid",
                "RUN --mount=type=nfs x|unsupported mount type \"nfs\"",
                "RUN --mount=type=bind,bogus=1 x|unexpected key 'bogus'",
                "RUN --mount=from=$X x|'from' doesn't support variable expansion",
                "RUN --device=/dev/kvm x|unknown flag --device for RUN",
                "COPY <<EOF <<EOF2|COPY cannot accept a heredoc as a destination",
                "STOPSIGNAL|STOPSIGNAL requires exactly one argument",
                "MAINTAINER|MAINTAINER requires exactly one argument",
        })
        void malformedInstructionsAreErrorsOnTheirLine(String instruction, String message) {
            String text = instruction.startsWith("FROM") ? "ARG X\n" + instruction + "\n"
                    : "FROM scratch\n" + instruction.replace("<<EOF <<EOF2", "<<EOF <<EOF2\nx\nEOF\ny\nEOF2") + "\n";
            failsAt(text, 2, message);
        }
    }

    @Nested
    class Instructions {
        @Test
        void from() {
            List<Instruction> all = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM build\n");
            assertThat(all.get(0)).isEqualTo(new From(all.get(0).line(), "golang:1.22", Optional.of("build"),
                    Optional.of("$BUILDPLATFORM")));
            assertThat(((From) all.get(1)).stageName()).isEmpty();
            assertThat(((From) all.get(1)).platform()).isEmpty();
        }

        @Test
        void runShellAndExecFormsAndFlags() {
            Run shell = only("RUN --mount=type=cache,target=/root/.cache --network=none --security=insecure"
                    + " pip install -r req.txt", Run.class);
            assertThat(shell.command()).isEqualTo(new CommandLine(List.of("pip install -r req.txt"), true));
            assertThat(shell.mounts()).containsExactly("type=cache,target=/root/.cache");
            assertThat(shell.network()).isEqualTo(Instruction.Network.NONE);
            assertThat(shell.security()).isEqualTo(Instruction.Security.INSECURE);
            Run exec = only("RUN [ \"/bin/busybox\", \"echo\", \"a b\" ]", Run.class);
            assertThat(exec.command()).isEqualTo(new CommandLine(List.of("/bin/busybox", "echo", "a b"), false));
            assertThat(exec.network()).isEqualTo(Instruction.Network.DEFAULT);
            assertThat(exec.security()).isEqualTo(Instruction.Security.SANDBOX);
        }

        @Test
        void notQuiteJsonIsTheShellForm() {
            assertThat(only("CMD ['a', 'b']", Cmd.class).command().shellForm()).isTrue();
            assertThat(only("CMD [\"a\"] trailing", Cmd.class).command().args()).containsExactly("[\"a\"] trailing");
            assertThat(only("ENTRYPOINT [\"a\",", Entrypoint.class).command().shellForm()).isTrue();
        }

        @Test
        void cmdAndEntrypoint() {
            assertThat(only("CMD [\"nginx\", \"-g\", \"daemon off;\"]", Cmd.class).command().args())
                    .containsExactly("nginx", "-g", "daemon off;");
            assertThat(only("CMD []", Cmd.class).command()).isEqualTo(CommandLine.exec(List.of()));
            assertThat(only("ENTRYPOINT exec top -b", Entrypoint.class).command())
                    .isEqualTo(CommandLine.shell("exec top -b"));
        }

        @Test
        void envBothForms() {
            assertThat(only("ENV A=1 B=\"two words\" C=three\\ words", Env.class).pairs()).containsExactly(
                    new KeyValue("A", "1"), new KeyValue("B", "\"two words\""), new KeyValue("C", "three\\ words"));
            assertThat(only("ENV MY_NAME John \"Doe\"", Env.class).pairs())
                    .containsExactly(new KeyValue("MY_NAME", "John \"Doe\""));
            assertThat(only("ENV A= B=''", Env.class).pairs())
                    .containsExactly(new KeyValue("A", ""), new KeyValue("B", "''"));
        }

        @Test
        void labelKeepsQuotesForTheExpansion() {
            assertThat(only("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 multi.label=\"a=b\"", Label.class).pairs())
                    .containsExactly(new KeyValue("\"com.example.vendor\"", "\"ACME Inc\""), new KeyValue("version", "1.0"),
                            new KeyValue("multi.label", "\"a=b\""));
        }

        @Test
        void argWithAndWithoutDefaults() {
            assertThat(only("ARG A B=2 C=\"x y\" D=", Arg.class).definitions()).containsExactly(
                    new ArgDefinition("A", Optional.empty()), new ArgDefinition("B", Optional.of("2")),
                    new ArgDefinition("C", Optional.of("\"x y\"")), new ArgDefinition("D", Optional.of("")));
        }

        @Test
        void exposeUserWorkdirStopsignalMaintainer() {
            assertThat(only("EXPOSE 80/tcp  443 $PORT", Expose.class).ports()).containsExactly("80/tcp", "443", "$PORT");
            assertThat(only("USER app:app", User.class).user()).isEqualTo("app:app");
            assertThat(only("WORKDIR /path with spaces", Workdir.class).path()).isEqualTo("/path with spaces");
            assertThat(only("STOPSIGNAL SIGKILL", StopSignal.class).signal()).isEqualTo("SIGKILL");
            assertThat(only("MAINTAINER Jane Doe <jane@example.com>", Maintainer.class).name())
                    .isEqualTo("Jane Doe <jane@example.com>");
        }

        @Test
        void volumeJsonAndList() {
            assertThat(only("VOLUME [\"/data\", \"/var/log\"]", Volume.class).paths()).containsExactly("/data", "/var/log");
            assertThat(only("VOLUME /data /var/log", Volume.class).paths()).containsExactly("/data", "/var/log");
        }

        @Test
        void copyWithEveryFlag() {
            Copy c = only("COPY --from=build --chown=1000:1000 --chmod=0755 --link --exclude=*.md --exclude=tmp"
                    + " --parents a b/ /dst/", Copy.class);
            assertThat(c.sources()).containsExactly("a", "b/");
            assertThat(c.destination()).isEqualTo("/dst/");
            assertThat(c.from()).contains("build");
            assertThat(c.chown()).contains("1000:1000");
            assertThat(c.chmod()).contains("0755");
            assertThat(c.link()).isTrue();
            assertThat(c.excludes()).containsExactly("*.md", "tmp");
            assertThat(c.parents()).isTrue();
            Copy json = only("COPY [\"a b\", \"/c d/\"]", Copy.class);
            assertThat(json.sources()).containsExactly("a b");
            assertThat(json.destination()).isEqualTo("/c d/");
            Copy plain = only("COPY a /b", Copy.class);
            assertThat(plain.from()).isEmpty();
            assertThat(plain.link()).isFalse();
            assertThat(plain.parents()).isFalse();
        }

        @Test
        void addWithEveryFlag() {
            Add a = only("ADD --chown=app --chmod=644 --link=false --keep-git-dir --unpack=false"
                    + " --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
                    + " --exclude=x https://example.com/a.tar.gz /opt/", Add.class);
            assertThat(a.sources()).containsExactly("https://example.com/a.tar.gz");
            assertThat(a.chown()).contains("app");
            assertThat(a.chmod()).contains("644");
            assertThat(a.link()).isFalse();
            assertThat(a.keepGitDir()).contains(true);
            assertThat(a.unpack()).contains(false);
            assertThat(a.checksum()).contains("sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d");
            assertThat(a.excludes()).containsExactly("x");
            Add plain = only("ADD a b", Add.class);
            assertThat(plain.keepGitDir()).isEmpty();
            assertThat(plain.unpack()).isEmpty();
        }

        @Test
        void flagsMayBeQuotedAndEndAtDoubleDash() {
            Copy c = only("COPY --chown=\"a b\" -- --weird /dst", Copy.class);
            assertThat(c.chown()).contains("a b");
            assertThat(c.sources()).containsExactly("--weird");
        }

        @Test
        void shell() {
            assertThat(only("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]", Shell.class).shell())
                    .containsExactly("/bin/bash", "-o", "pipefail", "-c");
        }

        @Test
        void healthcheck() {
            Healthcheck h = only("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=500ms"
                    + " --retries=3 CMD curl -f http://localhost/ || exit 1", Healthcheck.class);
            assertThat(h.config()).isEqualTo(new HealthcheckConfig(List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1"),
                    Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofMillis(1500), Duration.ofMillis(500), 3));
            assertThat(only("HEALTHCHECK CMD [\"/bin/check\", \"-q\"]", Healthcheck.class).config().test())
                    .containsExactly("CMD", "/bin/check", "-q");
            assertThat(only("HEALTHCHECK none", Healthcheck.class).config()).isEqualTo(HealthcheckConfig.none());
        }

        @Test
        void onbuildKeepsTheParsedTriggerAndItsText() {
            Onbuild o = only("ONBUILD  COPY --chown=1 . /app/src", Onbuild.class);
            assertThat(o.trigger()).isInstanceOf(Copy.class);
            assertThat(((Copy) o.trigger()).chown()).contains("1");
            assertThat(o.expression()).isEqualTo("COPY --chown=1 . /app/src");
            failsAt("FROM scratch\nONBUILD COPY --nope a b\n", 2, "unknown flag --nope");
        }
    }

    @Nested
    class Heredocs {
        @Test
        void runHeredoc() {
            Run run = only("""
                    RUN <<EOF
                    echo hello
                    echo world
                    EOF
                    """, Run.class);
            assertThat(run.command().args()).containsExactly("<<EOF");
            assertThat(run.heredocs()).containsExactly(new Heredoc("EOF", 0, true, false, "echo hello\necho world\n"));
            assertThat(run.line().start()).isEqualTo(2);
            assertThat(run.line().end()).isEqualTo(5);
        }

        @Test
        void chompedHeredocStripsLeadingTabsAndMayIndentItsDelimiter() {
            Run run = only("RUN <<-EOT bash\n\techo a\n\t\techo b\n\tEOT\n", Run.class);
            Heredoc h = run.heredocs().get(0);
            assertThat(h.chomp()).isTrue();
            assertThat(h.body()).isEqualTo("\techo a\n\t\techo b\n");
            assertThat(h.content()).isEqualTo("echo a\necho b\n");
        }

        @Test
        void quotedDelimitersDisableExpansion() {
            assertThat(only("RUN <<'EOF'\n$A\nEOF\n", Run.class).heredocs().get(0))
                    .isEqualTo(new Heredoc("EOF", 0, false, false, "$A\n"));
            assertThat(only("RUN <<\"EOF\"\n$A\nEOF\n", Run.class).heredocs().get(0).expand()).isFalse();
            assertThat(only("RUN <<E\"O\"F\n$A\nEOF\n", Run.class).heredocs().get(0).name()).isEqualTo("EOF");
        }

        @Test
        void severalHeredocsOnOneLine() {
            List<Instruction> all = parse("""
                    FROM scratch
                    RUN <<FILE1 cat > file1 && 3<<-FILE2 cat > file2
                    one
                    FILE1
                    two
                    \tFILE2
                    RUN true
                    """);
            Run run = (Run) all.get(1);
            assertThat(run.heredocs()).containsExactly(new Heredoc("FILE1", 0, true, false, "one\n"),
                    new Heredoc("FILE2", 3, true, true, "two\n"));
            assertThat(all.get(2).line().start()).isEqualTo(7);
        }

        @Test
        void copyHeredocIsAnInlineSource() {
            Copy c = only("""
                    COPY --chmod=755 <<EOF <<-'TWO' /usr/local/bin/
                    #!/bin/sh
                    echo $X
                    EOF
                    \ttabbed $Y
                    TWO
                    """, Copy.class);
            assertThat(c.sources()).isEmpty();
            assertThat(c.inline()).containsExactly(new InlineSource("EOF", "#!/bin/sh\necho $X\n", true),
                    new InlineSource("TWO", "tabbed $Y\n", false));
            assertThat(c.destination()).isEqualTo("/usr/local/bin/");
        }

        @Test
        void delimitersMayBeQuotedOddlyOrFollowBlanks() {
            List<Instruction> all = parse("""
                    FROM scratch
                    RUN <<eo'f'
                    echo foo
                    eof
                    RUN <<eo\\'f
                    echo foo
                    eo'f
                    RUN <<'one two'
                    echo bar
                    one two
                    RUN <<$EOF
                    $EOF
                    RUN <<  EOF  > foo
                    x
                    EOF
                    COPY <<X <<Y /dest
                    Y
                    X
                    X
                    Y
                    RUN 3<<EMPTY
                    EMPTY
                    """);
            assertThat(all).hasSize(8);
            assertThat(((Run) all.get(1)).heredocs()).containsExactly(new Heredoc("eof", 0, false, false, "echo foo\n"));
            assertThat(((Run) all.get(2)).heredocs()).containsExactly(new Heredoc("eo'f", 0, true, false, "echo foo\n"));
            assertThat(((Run) all.get(3)).heredocs()).containsExactly(new Heredoc("one two", 0, false, false, "echo bar\n"));
            assertThat(((Run) all.get(4)).heredocs()).containsExactly(new Heredoc("$EOF", 0, true, false, ""));
            assertThat(((Run) all.get(5)).heredocs()).containsExactly(new Heredoc("EOF", 0, true, false, "x\n"));
            assertThat(((Copy) all.get(6)).inline()).containsExactly(new InlineSource("X", "Y\n", true),
                    new InlineSource("Y", "X\n", true));
            assertThat(((Run) all.get(7)).heredocs()).containsExactly(new Heredoc("EMPTY", 3, true, false, ""));
        }

        @Test
        void commentsAndContinuationsInsideABodyAreContent() {
            Run run = only("RUN <<EOF\n# not a comment \\\n\nEOF\n", Run.class);
            assertThat(run.heredocs().get(0).body()).isEqualTo("# not a comment \\\n\n");
        }

        @Test
        void theExecFormAndOtherInstructionsHaveNoHeredocs() {
            List<Instruction> all = parse("FROM scratch\nRUN [\"cat\", \"<<EOF\"]\nENV A=<<EOF\nRUN true\n");
            assertThat(((Run) all.get(1)).heredocs()).isEmpty();
            assertThat(all).hasSize(4);
            assertThat(all.get(3)).isInstanceOf(Run.class);
        }

        @Test
        void quotedOrEscapedMarkersAreNotHeredocs() {
            assertThat(only("RUN echo \"<<EOF\" '<<X'", Run.class).heredocs()).isEmpty();
            assertThat(only("RUN echo a<<EOF", Run.class).heredocs()).isEmpty();
        }

        @Test
        void onbuildHeredoc() {
            Onbuild o = only("ONBUILD RUN <<EOF\necho triggered\nEOF\n", Onbuild.class);
            assertThat(((Run) o.trigger()).heredocs()).hasSize(1);
            assertThat(o.expression()).isEqualTo("RUN <<EOF\necho triggered\nEOF");
        }

        @Test
        void anUnterminatedHeredocNamesTheInstructionsLine() {
            failsAt("FROM scratch\n\nRUN <<EOF\necho\nEOFX\n", 3, "unterminated heredoc");
        }
    }

    @Test
    void stagesGroupInstructionsAndGlobalArgsComeFirst() {
        Dockerfile f = Dockerfile.parse("ARG V=1\nARG W\nFROM a AS one\nRUN x\nFROM one\nRUN y\nRUN z\n");
        assertThat(f.globalArgs()).hasSize(2);
        assertThat(f.stages()).hasSize(2);
        assertThat(f.stages().get(1).instructions()).hasSize(2);
        assertThat(f.stage("ONE")).map(Dockerfile.Stage::index).contains(0);
        assertThat(f.stage("two")).isEmpty();
    }

    @Test
    void readRefusesOversizedAndNonUtf8Files(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path bad = dir.resolve("Dockerfile");
        Files.write(bad, new byte[]{'F', 'R', 'O', 'M', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> Dockerfile.read(bad)).hasMessageContaining("is not UTF-8");
        Path good = dir.resolve("Dockerfile.ok");
        Files.writeString(good, "FROM scratch\n");
        assertThat(Dockerfile.read(good).instructions()).hasSize(1);
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Dockerfile.read(missing)).hasMessageContaining("cannot read Dockerfile");
    }
}
