package dev.agentkernel.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DebianMirrorTest {
    @TempDir
    Path apt;

    @Test
    void deb822StanzasSkipSecurityDisabledAndOtherSuites() throws IOException {
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/a.sources"), """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main

                # a comment
                Types: deb-src deb
                URIs: http://disabled.example/debian
                Suites: bookworm
                Components: main
                Enabled: no

                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main contrib
                """);
        assertThat(DebianMirror.find(apt, "bookworm")).contains("http://mirror.example/debian");
    }

    @Test
    void oneLineEntriesWithOptionsAndAFallbackToAnyReleaseSuite() throws IOException {
        Files.writeString(apt.resolve("sources.list"), """
                deb-src http://src.example/debian bookworm main
                deb [arch=amd64 signed-by=/k.gpg] https://cloud.example/apt cloud-sdk-bookworm main
                deb http://trixie.example/debian trixie main # the release suite of another release
                """);
        assertThat(DebianMirror.find(apt, "bookworm")).contains("http://trixie.example/debian");
        assertThat(DebianMirror.find(apt, "trixie")).contains("http://trixie.example/debian");
    }

    @Test
    void noSourcesNoMirror() {
        assertThat(DebianMirror.find(apt, "bookworm")).isEmpty();
    }
}
