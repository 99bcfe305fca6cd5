package dev.agentkernel.net;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPatternTest {
    @Test
    void namesAreLowerCasedAndLoseTheirTrailingDot() {
        assertThat(HostPattern.parse(" Allowed.TEST. ").text()).isEqualTo("allowed.test");
        assertThat(HostPattern.parse("pypi.org").matches("PyPI.org.")).isTrue();
        assertThat(HostPattern.parse("pypi.org").matches("files.pypi.org")).isFalse();
    }

    @Test
    void aWildcardMatchesNamesUnderTheDomainButNotTheDomain() {
        HostPattern p = HostPattern.parse("*.example.com");
        assertThat(p.isWildcard()).isTrue();
        assertThat(p.matches("a.example.com")).isTrue();
        assertThat(p.matches("a.b.example.com")).isTrue();
        assertThat(p.matches("example.com")).isFalse();
        assertThat(p.matches("badexample.com")).isFalse();
    }

    @Test
    void anAddressMatchesOnlyItself() {
        HostPattern p = HostPattern.parse("10.203.0.2");
        assertThat(p.isAddress()).isTrue();
        assertThat(p.matches("10.203.0.2")).isTrue();
        assertThat(p.matches("10.203.0.20")).isFalse();
    }

    @Test
    void malformedPatternsAreBadInput() {
        for (String bad : new String[] {"", "*", "*.", "a.*.b", "*foo.com", "a..b", "-a.com", "a b", "host:443",
                "[::1]", "a".repeat(64) + ".com", "http://x.com"}) {
            assertThatThrownBy(() -> HostPattern.parse(bad)).as(bad).isInstanceOf(UserInputException.class)
                    .hasMessageContaining("--allow-host");
        }
    }
}
