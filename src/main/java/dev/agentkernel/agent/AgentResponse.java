package dev.agentkernel.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The wire form of an agent's answer; fields absent from a given answer are null. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentResponse(
        @JsonProperty("id") String id,
        @JsonProperty("exit_code") Integer exitCode,
        @JsonProperty("stdout") String stdout,
        @JsonProperty("stderr") String stderr,
        @JsonProperty("stdout_base64") String stdoutBase64,
        @JsonProperty("stderr_base64") String stderrBase64,
        @JsonProperty("content_base64") String contentBase64,
        @JsonProperty("error") String error,
        @JsonProperty("timed_out") Boolean timedOut,
        @JsonProperty("stdout_truncated") Boolean stdoutTruncated,
        @JsonProperty("stderr_truncated") Boolean stderrTruncated) {

    public boolean isError() {
        return error != null;
    }
}
