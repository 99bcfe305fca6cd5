package dev.agentkernel.registry;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDK client's exceptions, often without a message, become words in the one error line. */
class RegistryHttpDescribeTest {
    @Test
    void exceptionsWithoutAMessageAreNamedInWords() {
        ConnectException unresolved = new ConnectException();
        unresolved.initCause(new UnresolvedAddressException());
        assertThat(RegistryHttp.describe(unresolved)).isEqualTo("unknown host");
        assertThat(RegistryHttp.describe(new ConnectException())).isEqualTo("cannot connect");
        assertThat(RegistryHttp.describe(new ConnectException("Connection refused"))).isEqualTo("cannot connect (Connection refused)");
        assertThat(RegistryHttp.describe(new HttpConnectTimeoutException("HTTP connect timed out"))).isEqualTo("the connection timed out");
        assertThat(RegistryHttp.describe(new IOException("bad\u001b[2J"))).isEqualTo("IOException: bad\\x1b[2J");
    }
}
