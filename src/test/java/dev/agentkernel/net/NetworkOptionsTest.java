package dev.agentkernel.net;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkOptionsTest {
    private static NetworkOptions parse(boolean noNetwork, String network, List<String> allow, List<String> publish) {
        return NetworkOptions.parse(noNetwork, network, allow, publish, false, List.of());
    }

    @Test
    void nothingGivenIsTheDefaultNetworkNotRequested() {
        NetworkOptions o = parse(false, null, List.of(), List.of());
        assertThat(o.mode()).isEqualTo(NetworkMode.DEFAULT);
        assertThat(o.requested()).isFalse();
        assertThat(NetworkOptions.parse(false, null, null, null, false, null)).isEqualTo(o);
    }

    @Test
    void theModes() {
        assertThat(parse(true, null, List.of(), List.of()).mode()).isEqualTo(NetworkMode.NONE);
        assertThat(parse(false, "none", List.of(), List.of()).mode()).isEqualTo(NetworkMode.NONE);
        assertThat(parse(true, "none", List.of(), List.of()).requested()).isTrue();
        assertThat(parse(false, "default", List.of(), List.of()).mode()).isEqualTo(NetworkMode.DEFAULT);
        NetworkOptions allow = parse(false, "allow:a.test,*.b.test", List.of("c.test", "A.test"), List.of());
        assertThat(allow.mode()).isEqualTo(NetworkMode.ALLOWLIST);
        assertThat(allow.allowHosts()).extracting(HostPattern::text).containsExactly("a.test", "*.b.test", "c.test");
        assertThat(parse(false, null, List.of("x.test"), List.of()).mode()).isEqualTo(NetworkMode.ALLOWLIST);
    }

    @Test
    void contradictionsAreBadInput() {
        assertThatThrownBy(() -> parse(true, "default", List.of(), List.of())).isInstanceOf(UserInputException.class)
                .hasMessageContaining("--no-network contradicts");
        assertThatThrownBy(() -> parse(true, null, List.of("a.test"), List.of())).hasMessageContaining("--allow-host needs a network");
        assertThatThrownBy(() -> parse(false, "default", List.of("a.test"), List.of())).hasMessageContaining("contradicts --network default");
        assertThatThrownBy(() -> parse(true, null, List.of(), List.of("8000"))).hasMessageContaining("-p needs a network");
        assertThatThrownBy(() -> parse(false, "bridge", List.of(), List.of())).hasMessageContaining("none, default or allow:");
        assertThatThrownBy(() -> parse(false, "allow:", List.of(), List.of())).hasMessageContaining("--allow-host expects");
        assertThatThrownBy(() -> NetworkOptions.parse(true, null, List.of(), List.of(), false, List.of("1.1.1.1")))
                .hasMessageContaining("--dns needs a network");
    }

    @Test
    void portsAreChecked() {
        assertThatThrownBy(() -> parse(false, null, List.of("a.test"), List.of("53/udp")))
                .isInstanceOf(UserInputException.class).hasMessageContaining("UDP ports cannot be published in allowlist mode");
        assertThatThrownBy(() -> parse(false, null, List.of(), List.of("8080:80", "127.0.0.1:8080:81")))
                .hasMessageContaining("127.0.0.1:8080/tcp is published twice");
        assertThat(parse(false, null, List.of(), List.of("8080:80", "8080:80/udp", "80", "81")).publish()).hasSize(4);
    }

    @Test
    void dnsServersAreIpv4AndAtMostThree() {
        assertThatThrownBy(() -> NetworkOptions.parse(false, null, List.of(), List.of(), false, List.of("dns.google")))
                .hasMessageContaining("--dns expects an IPv4 address");
        assertThatThrownBy(() -> NetworkOptions.parse(false, null, List.of(), List.of(), false,
                List.of("1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"))).hasMessageContaining("at most 3");
        assertThatThrownBy(() -> NetworkOptions.defaults().withHostname("bad_name")).hasMessageContaining("hostname");
    }
}
