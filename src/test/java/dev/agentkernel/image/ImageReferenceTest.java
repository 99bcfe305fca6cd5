package dev.agentkernel.image;

import dev.agentkernel.errors.UserInputException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageReferenceTest {
    private static final String D = "sha256:abababababababababababababababababababababababababababababababab";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // text                                | registry          | api host               | repository            | tag        | digest
            "python                                | docker.io         | registry-1.docker.io   | library/python        | -          | -",
            "python:3.12-alpine                    | docker.io         | registry-1.docker.io   | library/python        | 3.12-alpine| -",
            "docker.io/python                      | docker.io         | registry-1.docker.io   | library/python        | -          | -",
            "index.docker.io/library/python:3      | docker.io         | registry-1.docker.io   | library/python        | 3          | -",
            "bitnami/redis:7                       | docker.io         | registry-1.docker.io   | bitnami/redis         | 7          | -",
            "a/b/c/d                               | docker.io         | registry-1.docker.io   | a/b/c/d               | -          | -",
            "localhost/foo                         | localhost         | localhost              | foo                   | -          | -",
            "localhost:5000/foo/bar:v1             | localhost:5000    | localhost:5000         | foo/bar               | v1         | -",
            "127.0.0.1:41234/busybox:tagged        | 127.0.0.1:41234   | 127.0.0.1:41234        | busybox               | tagged     | -",
            "ghcr.io/owner/img                     | ghcr.io           | ghcr.io                | owner/img             | -          | -",
            "quay.io/a_b/c__d.e-f---g:T_1.x-y      | quay.io           | quay.io                | a_b/c__d.e-f---g      | T_1.x-y    | -",
            "Registry/foo                          | Registry          | Registry               | foo                   | -          | -",
            "[::1]:5000/foo                        | [::1]:5000        | [::1]:5000             | foo                   | -          | -",
            "localhost:5000                        | docker.io         | registry-1.docker.io   | library/localhost     | 5000       | -",
            "busybox@" + D + "                     | docker.io         | registry-1.docker.io   | library/busybox       | -          | " + D,
            "busybox:1.36@" + D + "                | docker.io         | registry-1.docker.io   | library/busybox       | 1.36       | " + D,
            "host:5000/x/y:t@" + D + "             | host:5000         | host:5000              | x/y                   | t          | " + D,
    })
    void parsesAsDockerDoes(String text, String registry, String apiHost, String repository, String tag, String digest) {
        ImageReference ref = ImageReference.parse(text);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.apiHost()).isEqualTo(apiHost);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag().orElse(null)).isEqualTo(tag != null ? tag : digest == null ? "latest" : null);
        assertThat(ref.digest().map(Digest::toString).orElse(null)).isEqualTo(digest);
        assertThat(ref.manifestReference()).isEqualTo(digest != null ? digest : tag != null ? tag : "latest");
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "python                       | docker.io/library/python:latest  | python:latest",
            "python:3                     | docker.io/library/python:3       | python:3",
            "bitnami/redis                | docker.io/bitnami/redis:latest   | bitnami/redis:latest",
            "localhost:5000/a:b           | localhost:5000/a:b               | localhost:5000/a:b",
            "busybox@" + D + "            | docker.io/library/busybox@" + D + " | busybox@" + D,
    })
    void printsFullAndFamiliarForms(String text, String full, String familiar) {
        ImageReference ref = ImageReference.parse(text);
        assertThat(ref.toString()).isEqualTo(full);
        assertThat(ref.familiarString()).isEqualTo(familiar);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "''                          | it is empty",
            "' python'                   | white space",
            "Python                      | must be lower-case",
            "docker.io/Library/python    | must be lower-case",
            "foo/Bar:1                   | must be lower-case",
            "python:                     | not a valid tag",
            "python:-x                   | not a valid tag",
            "python:a/b                  | not a valid registry",
            "python@sha256:abc           | not a digest",
            "python@md5:" + "ab"         + " | not a digest",
            "python@                     | not a digest",
            ":tag                        | repository name is missing",
            "localhost:5000/             | repository name is missing",
            "foo//bar                    | empty path component",
            "foo/                        | empty path component",
            "-foo                        | not a valid repository path component",
            "foo-                        | not a valid repository path component",
            "foo..bar                    | not a valid repository path component",
            "foo___bar                   | not a valid repository path component",
            "a_b.c:5000/x                | not a valid registry",
            "-host.io/x                  | not a valid registry",
            "host.io:port/x              | not a valid registry",
            "abababababababababababababababababababababababababababababababab | image id",
    })
    void rejectsMalformedReferencesWithAReason(String text, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("invalid image reference '" + text + "'")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:5000/a", "127.0.0.1:1/a", "[::1]:5000/a", "LOCALHOST/a", "localhost/a"})
    void recognizesLoopbackRegistries(String text) {
        assertThat(ImageReference.parse(text).isLoopback()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "ghcr.io/a", "127.0.0.2:5000/a", "localhost.example.com/a", "10.0.0.1/a"})
    void otherRegistriesAreNotLoopback(String text) {
        assertThat(ImageReference.parse(text).isLoopback()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void familiarFormKeepsDockerHubWhenThePathLooksLikeARegistry() {
        ImageReference ref = ImageReference.parse("docker.io/a.b/c");
        assertThat(ref.familiarString()).isEqualTo("docker.io/a.b/c:latest");
        assertThat(ImageReference.parse(ref.familiarString())).isEqualTo(ref);
        assertThat(ImageReference.parse("docker.io/library/python:3").familiarString()).isEqualTo("python:3");
        assertThat(ImageReference.parse("docker.io/team/tool").familiarString()).isEqualTo("team/tool:latest");
    }

    @org.junit.jupiter.api.Test
    void rejectsNamesLongerThan255() {
        String longName = "ghcr.io/" + "a".repeat(250);
        assertThatThrownBy(() -> ImageReference.parse(longName)).hasMessageContaining("longer than 255");
    }

    @org.junit.jupiter.api.Test
    void withDigestPinsButKeepsTheTag() {
        ImageReference ref = ImageReference.parse("localhost:5000/a:b").withDigest(Digest.parse(D));
        assertThat(ref.manifestReference()).isEqualTo(D);
        assertThat(ref.toString()).isEqualTo("localhost:5000/a:b@" + D);
    }

    @Property(tries = 300)
    void everyWellFormedReferenceRoundTrips(@ForAll("references") String text) {
        ImageReference ref = ImageReference.parse(text);
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
        assertThat(ImageReference.parse(ref.familiarString())).isEqualTo(ref);
        assertThat(text).contains(ref.repository().substring(ref.repository().lastIndexOf('/') + 1))
                .endsWith(ref.digest().map(d -> "@" + d).orElse(""));
        String writtenTag = text.contains(":v") ? text.substring(text.lastIndexOf(":v") + 1).replaceAll("@.*", "")
                : text.contains("@") ? null : "latest";
        assertThat(ref.tag().orElse(null)).isEqualTo(writtenTag);
    }

    @Property(tries = 200)
    void upperCaseInTheRepositoryIsAlwaysRejected(@ForAll("references") String text) {
        ImageReference ref = ImageReference.parse(text);
        net.jqwik.api.Assume.that(ref.repository().matches(".*[a-z].*"));
        String upper = ref.registry() + "/" + ref.repository().toUpperCase() + ":x";
        assertThatThrownBy(() -> ImageReference.parse(upper)).isInstanceOf(UserInputException.class)
                .hasMessageContaining("lower-case");
    }

    @Provide
    Arbitrary<String> references() {
        Arbitrary<String> alnum = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> separator = Arbitraries.of(".", "_", "__", "-", "--");
        Arbitrary<String> component = Combinators.combine(alnum, separator, alnum, Arbitraries.of(true, false))
                .as((a, s, b, joined) -> joined ? a + s + b : a);
        Arbitrary<String> path = component.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
        Arbitrary<String> registry = Arbitraries.of("", "localhost/", "localhost:5000/", "ghcr.io/",
                "registry.example.com:443/", "docker.io/", "127.0.0.1:5000/");
        Arbitrary<String> tag = Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(0).ofMaxLength(10)
                .map(t -> t.isEmpty() ? "" : ":v" + t);
        Arbitrary<String> digest = Arbitraries.strings().withChars("0123456789abcdef").ofLength(64)
                .injectNull(0.6).map(h -> h == null ? "" : "@sha256:" + h);
        return Combinators.combine(registry, path, tag, digest).as((r, p, t, d) -> r + p + t + d)
                .filter(s -> !s.matches("[a-f0-9]{64}.*"));
    }
}
