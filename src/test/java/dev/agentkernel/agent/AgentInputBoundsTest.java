package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real agent, in an address space of {@value #ADDRESS_SPACE_KIB} KiB (a small guest), reads requests whose
 * cost once grew with something other than their size: many strings (the JSON reader gave each string the rest
 * of the input: 50,000 empty strings took 2.4 GB) and many environment names (a linear search per name: 100,000
 * names took minutes in the environment's building and 69 s in run's child, a putenv each). Each is answered, the agent stays alive, and within a bound.
 */
class AgentInputBoundsTest {
    static final long ADDRESS_SPACE_KIB = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void fiftyThousandEmptyStringsCostTheirSize() throws Exception {
        try (RawAgent agent = RawAgent.startLimited(dir, ADDRESS_SPACE_KIB)) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("type", "ping");
            request.put("padding", Collections.nCopies(50_000, ""));
            long started = System.nanoTime();
            JsonNode answer = agent.call(request);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(answer.path("stdout").asText()).isEqualTo("pong");
            assertThat(seconds).as("seconds for 50,000 empty strings").isLessThan(5);
            // and one frame of the most values the reader takes, in empty strings
            request.put("padding", Collections.nCopies(262_000, ""));
            assertThat(agent.call(request).path("stdout").asText()).isEqualTo("pong");
            request.put("padding", Collections.nCopies(270_000, ""));
            agent.send(request);
            JsonNode refused = agent.nextJson();
            assertThat(refused.path("error").asText()).isEqualTo("malformed request: too many values (the limit is 262144 per frame)");
            assertThat(agent.process().isAlive()).isTrue();
        }
    }

    @Test
    void aHundredThousandEnvironmentNamesCostTheirSize() throws Exception {
        try (RawAgent agent = RawAgent.startLimited(dir, ADDRESS_SPACE_KIB)) {
            Map<String, Object> env = new LinkedHashMap<>();
            for (int i = 0; i < 100_000; i++) {
                env.put("K" + i, "");
            }
            env.put("LAST", "here");
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("type", "run");
            request.put("command", List.of("printenv", "LAST", "K99999")); // not sh: dash takes seconds for them
            request.put("env", env);
            long started = System.nanoTime();
            JsonNode answer = agent.call(request);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(answer.path("exit_code").asInt()).as(answer.toString()).isZero();
            assertThat(answer.path("stdout").asText()).isEqualTo("here\n\n");
            assertThat(seconds).as("seconds for 100,000 environment names").isLessThan(5);
        }
    }

    @Test
    void anObjectKeyWithANulIsRefused() throws Exception {
        try (RawAgent agent = RawAgent.start(dir)) {
            agent.sendPayload("{\"id\":\"n\",\"type\":\"run\",\"command\":[\"true\"],\"env\":{\"A\\u0000B\":\"x\"}}"
                    .getBytes(StandardCharsets.UTF_8));
            JsonNode answer = agent.nextJson();
            assertThat(answer.path("error").asText()).isEqualTo("malformed request: NUL character in an object key");
            assertThat(agent.call(new LinkedHashMap<>(Map.of("type", "ping"))).path("stdout").asText()).isEqualTo("pong");
        }
    }
}
