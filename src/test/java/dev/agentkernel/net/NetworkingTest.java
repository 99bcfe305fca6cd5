package dev.agentkernel.net;

import dev.agentkernel.agent.PackagedAgent;
import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NetworkingTest {
    @TempDir
    Path dir;

    @Test
    void noneHasNoInterfaceButAResolverFileAndHostname() {
        NetworkPlan plan = Networking.plan(NetworkOptions.none().withHostname("box"), dir);
        assertThat(plan.qemuArguments()).isEmpty();
        assertThat(plan.applyTo(List.of("qemu", "-M", "microvm"))).containsExactly("qemu", "-M", "microvm");
        assertThat(plan.guest().address()).isNull();
        assertThat(plan.guest().hostname()).isEqualTo("box");
    }

    @Test
    void theDefaultPreloadsThePolicyIntoQemuAndGivesTheGuestTheNat() {
        assumeTrue(PackagedAgent.class.getResource(NetworkTools.POLICY_RESOURCE) != null, "no policy library in this build");
        NetworkOptions options = NetworkOptions.parse(false, null, List.of(), List.of(), true, List.of("10.203.0.2"));
        NetworkPlan plan = Networking.plan(options, dir);
        assertThat(plan.monitorEnvironment()).containsOnly(
                java.util.Map.entry("LD_PRELOAD", dir.resolve("libagentkernel-netpolicy.so").toString()),
                java.util.Map.entry("AGENTKERNEL_NET_POLICY", "host"),
                // relative to QEMU's working directory, the sandbox's, so a pooled sandbox's renamed directory keeps its log
                java.util.Map.entry("AGENTKERNEL_NET_POLICY_MARK", "netpolicy.loaded"),
                java.util.Map.entry("AGENTKERNEL_NET_POLICY_LOG", "network.log"));
        assertThat(Files.isExecutable(dir.resolve("libagentkernel-netpolicy.so"))).isTrue();
        assertThat(plan.applyTo(List.of("qemu")).subList(0, 2)).containsExactly("qemu", "-netdev");
        assertThat(plan.guest().address()).isEqualTo("10.0.2.15");
        assertThat(plan.guest().gateway()).isEqualTo("10.0.2.2");
        assertThat(plan.guest().dns()).containsExactly("10.203.0.2");
        assertThat(Networking.commandEnvironment(options)).isEmpty();
    }

    @Test
    void theAllowlistSetsTheProxyForEveryCommandAndPointsExactNamesAtIt() {
        assumeTrue(PackagedAgent.class.getResource(NetworkTools.PROXY_RESOURCE) != null, "no netproxy in this build");
        NetworkOptions options = NetworkOptions.parse(false, null, List.of("a.test", "*.b.test", "10.0.0.1"),
                List.of(), false, List.of());
        NetworkPlan plan = Networking.plan(options, dir);
        assertThat(plan.monitorEnvironment()).isEmpty();
        assertThat(Files.isExecutable(dir.resolve("netproxy"))).isTrue();
        assertThat(plan.guest().dns()).isEmpty();
        assertThat(plan.guest().hosts()).singleElement().satisfies(e -> {
            assertThat(e.address()).isEqualTo("10.0.2.100");
            assertThat(e.names()).containsExactly("a.test");
        });
        assertThat(Networking.commandEnvironment(options))
                .containsEntry("HTTPS_PROXY", "http://10.0.2.100:3128").containsEntry("HTTP_PROXY", "http://10.0.2.100:3128")
                .containsEntry("no_proxy", "localhost,127.0.0.1,::1");
    }

    @Test
    void aTakenPortIsBadInputBeforeAnythingStartsAndPortZeroIsChosen() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            NetworkOptions options = NetworkOptions.parse(true, null, List.of(), List.of(), false, List.of())
                    .withPublish(List.of());
            assertThat(options.mode()).isEqualTo(NetworkMode.NONE);
            NetworkOptions busy = NetworkOptions.parse(false, "default", List.of(), List.of(taken.getLocalPort() + ":80"),
                    false, List.of());
            assertThatThrownBy(() -> Networking.plan(busy, dir)).isInstanceOf(UserInputException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort()).hasMessageContaining("taken");
        }
        NetworkOptions chosen = Networking.reservePorts(NetworkOptions.parse(false, null, List.of(), List.of("80", "53/udp"),
                false, List.of()));
        assertThat(chosen.publish()).allSatisfy(p -> assertThat(p.hostPort()).isPositive());
        assertThat(Networking.reservePorts(chosen)).isSameAs(chosen);
    }

    @Test
    void theProbeTellsAQemuThatLoadsThePolicyFromAProgramThatDoesNot() {
        assumeTrue(PackagedAgent.class.getResource(NetworkTools.POLICY_RESOURCE) != null, "no policy library in this build");
        Path qemu = dev.agentkernel.testing.RequiredTools.require("qemu-system-x86_64");
        assertThat(Networking.policyProblem(qemu)).isEmpty();
        // any other program: the library stays inactive and writes no mark
        assertThat(Networking.policyProblem(Path.of("/bin/true"))).get().asString().contains("did not load");
    }
}
