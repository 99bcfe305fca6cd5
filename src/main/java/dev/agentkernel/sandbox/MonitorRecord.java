package dev.agentkernel.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.process.ProcessIdentity;

/** {@code monitor.json}: the running monitor of a sandbox, by pid and start time, and when it was started. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MonitorRecord(@JsonProperty("process") ProcessIdentity process,
                            @JsonProperty("startedAt") String startedAt,
                            @JsonProperty("program") String program) {
}
