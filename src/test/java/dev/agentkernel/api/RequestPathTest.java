package dev.agentkernel.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestPathTest {
    @Test
    void emptySegmentsGoAndEscapesAreDecodedWithinTheirSegment() {
        assertThat(RequestPath.segments("/sandboxes/a/files//tmp/x")).containsExactly("sandboxes", "a", "files", "tmp", "x");
        assertThat(RequestPath.segments("/sandboxes/a/files/tmp/x")).containsExactly("sandboxes", "a", "files", "tmp", "x");
        assertThat(RequestPath.segments("/f/a%20b/c%2Fd/%C3%A9")).containsExactly("f", "a b", "c/d", "é");
        assertThat(RequestPath.segments("/f/a+b")).containsExactly("f", "a+b");
        assertThat(RequestPath.segments("/")).isEmpty();
    }

    @Test
    void malformedEscapesAndNonUtf8AreBadRequests() {
        for (String bad : List.of("/a%", "/a%2", "/a%zz", "/a%ff")) {
            assertThatThrownBy(() -> RequestPath.segments(bad)).as(bad).isInstanceOf(ApiException.class)
                    .extracting(e -> ((ApiException) e).status()).isEqualTo(400);
        }
    }

    @Test
    void queryPairs() {
        assertThat(RequestPath.query("stream=stderr&x=a+b&y")).isEqualTo(Map.of("stream", "stderr", "x", "a b", "y", ""));
        assertThat(RequestPath.query(null)).isEmpty();
    }

    @Test
    void routesMatchParametersAndTails() {
        Route exec = Route.of("POST", "/sandboxes/{name}/exec", c -> null);
        assertThat(exec.match(List.of("sandboxes", "a", "exec"))).isEqualTo(Map.of("name", "a"));
        assertThat(exec.match(List.of("sandboxes", "a", "exec", "detach"))).isNull();
        assertThat(exec.match(List.of("sandboxes", "a"))).isNull();
        Route files = Route.of("GET", "/sandboxes/{name}/files/**", c -> null);
        assertThat(files.match(List.of("sandboxes", "a", "files", "tmp", "x"))).isEqualTo(Map.of("name", "a"));
        assertThat(files.match(List.of("sandboxes", "a", "files"))).isEqualTo(Map.of("name", "a"));
        assertThat(files.fixedSegments()).isEqualTo(3);
    }
}
