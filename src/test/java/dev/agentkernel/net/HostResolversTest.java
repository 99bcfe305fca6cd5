package dev.agentkernel.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostResolversTest {
    @Test
    void loopbackResolversAreNeverGivenToTheGuest() {
        assertThat(HostResolvers.usable("nameserver 127.0.0.53\noptions edns0\n")).isEmpty();
        assertThat(HostResolvers.usable("# c\nnameserver 10.255.255.53\nnameserver ::1\nnameserver 127.0.0.1\n"
                + "  nameserver\t192.0.2.1  \nsearch x\nnameserver 10.255.255.53\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n"))
                .containsExactly("10.255.255.53", "192.0.2.1", "1.1.1.1");
    }
}
