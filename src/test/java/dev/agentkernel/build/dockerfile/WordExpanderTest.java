package dev.agentkernel.build.dockerfile;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordExpanderTest {
    private static final Map<String, String> ENV = Map.of(
            "A", "a", "EMPTY", "", "SPACED", "x  y", "PATHV", "/usr/local/lib/file.tar.gz", "DOLLAR", "$A",
            "Q", "\"quoted\"");

    private static String expand(String word) {
        return WordExpander.standard('\\').word(word, ENV::get);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "$A|a",
            "${A}|a",
            "$A$A|aa",
            "${A}b|ab",
            "$Ab|~~",
            "a$|a$",
            "$|$",
            "$ x|$ x",
            "$-x|x",
            "$1x|x",
            "${UNSET}|~~",
            "$UNSET.txt|.txt",
            "${A:-d}|a",
            "${EMPTY:-d}|d",
            "${UNSET:-d}|d",
            "${A-d}|a",
            "${EMPTY-d}|~~",
            "${UNSET-d}|d",
            "${A:+alt}|alt",
            "${EMPTY:+alt}|~~",
            "${UNSET:+alt}|~~",
            "${A+alt}|alt",
            "${EMPTY+alt}|alt",
            "${UNSET+alt}|~~",
            "${UNSET:-${A:-x}y}|ay",
            "${UNSET:-${UNSET2:-deep}}|deep",
            "${UNSET:-'a b'}|a b",
            "${UNSET:-\"$A b\"}|a b",
            "${A:?must be set}|a",
            "\\$A|$A",
            "\\${A}|${A}",
            "'$A'|$A",
            "\"$A\"|a",
            "\"\\$A\"|$A",
            "\"a\\b\"|a\\b",
            "\"a\\\\b\"|a\\b",
            "\"a\\\"b\"|a\"b",
            "'a\\b'|a\\b",
            "a\\ b|a b",
            "a\\\\b|a\\b",
            "\"$SPACED\"|x  y",
            "$SPACED|x  y",
            "$DOLLAR|$A",
            "$Q|\"quoted\"",
            "'it''s'|its",
            "\"\"|~~",
            "${PATHV#*/}|usr/local/lib/file.tar.gz",
            "${PATHV##*/}|file.tar.gz",
            "${PATHV%.*}|/usr/local/lib/file.tar",
            "${PATHV%%.*}|/usr/local/lib/file",
            "${PATHV#/usr}|/local/lib/file.tar.gz",
            "${PATHV%nomatch}|/usr/local/lib/file.tar.gz",
            "${PATHV/l/L}|/usr/Local/lib/file.tar.gz",
            "${PATHV//l/L}|/usr/LocaL/Lib/fiLe.tar.gz",
            "${PATHV/lo*l/X}|/usr/Xe.tar.gz",
            "${PATHV/\\//_}|_usr/local/lib/file.tar.gz",
            "${PATHV//\\//_}|_usr_local_lib_file.tar.gz",
            "${A#\\*}|a",
    })
    void expands(String word, String expected) {
        assertThat(expand(word)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "${|missing '}'",
            "${A|missing '}'",
            "${A:-x|missing '}'",
            "${}|bad substitution",
            "${:-x}|bad substitution",
            "${{A}}|bad substitution",
            "'abc|matching single-quote",
            "\"abc|matching double-quote",
            "${A:=x}|unsupported modifier (:=)",
            "${A^}|unsupported modifier (^)",
            "${UNSET:?}|UNSET: is not allowed to be unset",
            "${UNSET?custom message}|UNSET: custom message",
            "${EMPTY:?}|EMPTY: is not allowed to be empty",
            "${A/x|missing '/' in ${}",
            "${A#\\x}|invalid escape",
    })
    void rejectsMalformedWords(String word, String message) {
        assertThatThrownBy(() -> expand(word)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageContaining(word);
    }

    @Test
    void emptyButSetDiffersFromUnsetOnlyWithoutTheColon() {
        Map<String, String> env = new HashMap<>();
        env.put("V", "");
        Function<String, String> lookup = env::get;
        WordExpander ex = WordExpander.standard('\\');
        assertThat(ex.word("${V-unset}|${V:-empty}", lookup)).isEqualTo("|empty");
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String ok = "${U:-".repeat(60) + "x" + "}".repeat(60);
        assertThat(expand(ok)).isEqualTo("x");
        String deep = "${U:-".repeat(10_000) + "x" + "}".repeat(10_000);
        assertThatThrownBy(() -> expand(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested more than 64 deep");
    }

    @Test
    void backtickEscape() {
        WordExpander ex = WordExpander.standard('`');
        assertThat(ex.word("C:\\dir`$A", ENV::get)).isEqualTo("C:\\dir$A");
        assertThat(ex.word("\"`\"q`\"\"", ENV::get)).isEqualTo("\"q\"");
    }

    @Test
    void fieldsSplitAtUnquotedWhitespaceIncludingExpandedValues() {
        WordExpander ex = WordExpander.standard('\\');
        assertThat(ex.expand("80 $SPACED \"8 0\" a\\ b", ENV::get).fields())
                .containsExactly("80", "x", "y", "8 0", "a b");
        assertThat(ex.expand("", ENV::get).fields()).isEmpty();
    }

    @Test
    void heredocBodiesKeepQuotesAndOnlyExpandVariables() {
        WordExpander ex = WordExpander.heredocBody();
        assertThat(ex.word("echo \"$A\" '$A' \\$A\n", ENV::get)).isEqualTo("echo \"a\" 'a' $A\n");
    }

    @Test
    void unsetReferencesCanBeKeptAsWritten() {
        WordExpander keep = new WordExpander('\\', true, false, false, true);
        assertThat(keep.word("$UNSET ${UNSET} ${UNSET:-d} $A", ENV::get)).isEqualTo("$UNSET ${UNSET} ${UNSET:-d} a");
    }

    // Properties

    @Property
    void plainWordsExpandToThemselves(@ForAll("plainWords") String word) {
        assertThat(expand(word)).isEqualTo(word);
    }

    @Property
    void singleQuotesKeepAnythingLiteral(@ForAll("noSingleQuote") String s) {
        assertThat(expand("'" + s + "'")).isEqualTo(s);
    }

    @Property
    void escapingEveryCharacterGivesItBack(@ForAll @StringLength(max = 40) String s) {
        StringBuilder escaped = new StringBuilder();
        for (char c : s.toCharArray()) {
            escaped.append('\\').append(c);
        }
        assertThat(expand(escaped.toString())).isEqualTo(s);
    }

    @Property
    void doubleQuotingWithEscapesGivesItBack(@ForAll @StringLength(max = 40) String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '$' || c == '\\') {
                q.append('\\');
            }
            q.append(c);
        }
        assertThat(expand(q.append('"').toString())).isEqualTo(s);
    }

    @Property
    void valuesAreInsertedVerbatimNeverReExpanded(@ForAll @AlphaChars @StringLength(min = 1, max = 8) String name,
                                                  @ForAll @StringLength(max = 30) String value) {
        Map<String, String> env = Map.of(name, value);
        WordExpander ex = WordExpander.standard('\\');
        assertThat(ex.word("$" + name, env::get)).isEqualTo(value);
        assertThat(ex.word("${" + name + "}", env::get)).isEqualTo(value);
        assertThat(ex.word("\"${" + name + "}\"", env::get)).isEqualTo(value);
    }

    @Property
    void defaultAndAlternativeFollowTheirDefinitions(@ForAll("maybeValue") String value,
                                                     @ForAll @AlphaChars @StringLength(max = 10) String word) {
        Map<String, String> env = new HashMap<>();
        if (value != null) {
            env.put("V", value);
        }
        WordExpander ex = WordExpander.standard('\\');
        boolean set = value != null;
        boolean nonEmpty = set && !value.isEmpty();
        assertThat(ex.word("${V:-" + word + "}", env::get)).isEqualTo(nonEmpty ? value : word);
        assertThat(ex.word("${V-" + word + "}", env::get)).isEqualTo(set ? value : word);
        assertThat(ex.word("${V:+" + word + "}", env::get)).isEqualTo(nonEmpty ? word : "");
        assertThat(ex.word("${V+" + word + "}", env::get)).isEqualTo(set ? word : "");
    }

    @Property
    void fieldsOfSpaceSeparatedPlainWordsAreTheWords(@ForAll("plainWordLists") List<String> words) {
        assertThat(WordExpander.standard('\\').expand(String.join("  ", words), ENV::get).fields())
                .containsExactlyElementsOf(words);
    }

    @Property
    void prefixAndSuffixTrimsAreWhatRemainsAfterALiteralMatch(@ForAll @AlphaChars @StringLength(max = 6) String prefix,
                                                              @ForAll @AlphaChars @StringLength(max = 6) String rest) {
        Map<String, String> env = Map.of("V", prefix + rest);
        WordExpander ex = WordExpander.standard('\\');
        assertThat(ex.word("${V#" + prefix + "}", env::get)).isEqualTo(rest);
        assertThat(ex.word("${V%" + rest + "}", env::get)).isEqualTo(prefix);
    }

    @Provide
    Arbitrary<String> plainWords() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("/._-:@+=,")
                .ofMaxLength(30);
    }

    @Provide
    Arbitrary<List<String>> plainWordLists() {
        return plainWords().filter(w -> !w.isEmpty()).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> noSingleQuote() {
        return Arbitraries.strings().ofMaxLength(30).filter(s -> s.indexOf('\'') < 0);
    }

    @Provide
    Arbitrary<String> maybeValue() {
        return Arbitraries.strings().alpha().ofMaxLength(5).injectNull(0.3);
    }
}
