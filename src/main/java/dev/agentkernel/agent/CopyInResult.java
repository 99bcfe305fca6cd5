package dev.agentkernel.agent;

/** A finished copy into the guest: the entries and file bytes the agent wrote. */
public record CopyInResult(long entries, long bytes) {
}
