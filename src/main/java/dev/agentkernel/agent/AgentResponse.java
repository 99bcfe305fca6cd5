package dev.agentkernel.agent;

/** A version-1 answer of the agent, its fields checked for their types; fields absent from it are null. */
public record AgentResponse(String id, Integer exitCode, String stdout, String stderr, String stdoutBase64,
                            String stderrBase64, String contentBase64, String error, Boolean timedOut,
                            Boolean stdoutTruncated, Boolean stderrTruncated) {

    public boolean isError() {
        return error != null;
    }
}
