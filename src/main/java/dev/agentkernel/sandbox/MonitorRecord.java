package dev.agentkernel.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.process.ProcessIdentity;

/**
 * {@code monitor.json}: the running monitor of a sandbox, by pid and start time, when it was started and how:
 * {@code startedFrom} is {@code boot}, or {@code snapshot <what>} for a VM restored from a saved state, or
 * {@code pool (...)} for one taken from a warm pool.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitorRecord(@JsonProperty("process") ProcessIdentity process,
                            @JsonProperty("startedAt") String startedAt,
                            @JsonProperty("program") String program,
                            @JsonProperty("startedFrom") String startedFrom) {
    public static final String BOOT = "boot";
    /** Taken from a warm pool: {@code pool (boot)} or {@code pool (snapshot <what>)}, how the pool started it. */
    public static final String POOL = "pool";

    public MonitorRecord(ProcessIdentity process, String startedAt, String program) {
        this(process, startedAt, program, BOOT);
    }

    public MonitorRecord withStartedFrom(String how) {
        return new MonitorRecord(process, startedAt, program, how);
    }

    public boolean restored() {
        return startedFrom != null && startedFrom.startsWith("snapshot");
    }
}
