package dev.agentkernel.net;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortMappingTest {
    @Test
    void theFormsDockerTakes() {
        assertThat(PortMapping.parse("8000")).isEqualTo(new PortMapping("127.0.0.1", 0, 8000, PortMapping.Protocol.TCP));
        assertThat(PortMapping.parse("8080:8000")).isEqualTo(new PortMapping("127.0.0.1", 8080, 8000, PortMapping.Protocol.TCP));
        assertThat(PortMapping.parse("0.0.0.0:8080:8000/udp"))
                .isEqualTo(new PortMapping("0.0.0.0", 8080, 8000, PortMapping.Protocol.UDP));
        assertThat(PortMapping.parse("127.0.0.1::8000/TCP"))
                .isEqualTo(new PortMapping("127.0.0.1", 0, 8000, PortMapping.Protocol.TCP));
        assertThat(PortMapping.parse("127.0.0.1:0:8000").hostPort()).isZero();
    }

    @Test
    void theSpecReadsBack() {
        PortMapping p = PortMapping.parse("10.0.0.1:81:80/udp");
        assertThat(PortMapping.parse(p.spec())).isEqualTo(p);
        assertThat(p.toString()).isEqualTo("10.0.0.1:81 -> 80/udp");
    }

    @Test
    void badMappingsSayWhatIsWrong() {
        assertThatThrownBy(() -> PortMapping.parse("0")).isInstanceOf(UserInputException.class).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> PortMapping.parse("70000:80")).hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> PortMapping.parse("80/sctp")).hasMessageContaining("tcp or udp");
        assertThatThrownBy(() -> PortMapping.parse("300.1.1.1:80:80")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> PortMapping.parse("a:b")).hasMessageContaining("expected");
        assertThatThrownBy(() -> PortMapping.parse("")).isInstanceOf(UserInputException.class);
    }
}
