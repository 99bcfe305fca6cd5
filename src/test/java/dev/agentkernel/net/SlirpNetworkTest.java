package dev.agentkernel.net;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SlirpNetworkTest {
    @Test
    void theNatNetworkWithPublishedPorts() {
        List<String> args = SlirpNetwork.qemuArguments(List.of(PortMapping.parse("8080:8000"),
                PortMapping.parse("0.0.0.0:5353:53/udp")), null);
        assertThat(args).containsExactly("-netdev",
                "user,id=net0,ipv4=on,ipv6=off,net=10.0.2.0/24,host=10.0.2.2,dhcpstart=10.0.2.15"
                        + ",hostfwd=tcp:127.0.0.1:8080-10.0.2.15:8000,hostfwd=udp:0.0.0.0:5353-10.0.2.15:53",
                "-device", "virtio-net-device,netdev=net0,mac=52:54:00:12:34:56");
    }

    @Test
    void theAllowlistIsRestrictedAndForwardsToTheProxyWithItsWordsQuotedAndCommasDoubled() {
        SlirpNetwork.Proxy proxy = new SlirpNetwork.Proxy(Path.of("/d/it's,here/netproxy"), Path.of("/d/network.log"),
                Path.of("/d/slots"), List.of(HostPattern.parse("a.test"), HostPattern.parse("*.b.test")), List.of("10.0.0.53"));
        String netdev = SlirpNetwork.qemuArguments(List.of(), proxy).get(1);
        assertThat(netdev).contains(",restrict=on");
        assertThat(netdev).contains(",guestfwd=tcp:10.0.2.100:3128-cmd:'/d/it'\\''s,,here/netproxy' --mode proxy"
                + " --log '/d/network.log' --slots '/d/slots' --allow 'a.test' --allow '*.b.test' --dns 10.0.0.53");
        assertThat(netdev).contains(",guestfwd=tcp:10.0.2.100:80-cmd:").contains(" --mode http ");
        assertThat(netdev).contains(",guestfwd=tcp:10.0.2.100:443-cmd:").contains(" --mode tls ");
    }
}
