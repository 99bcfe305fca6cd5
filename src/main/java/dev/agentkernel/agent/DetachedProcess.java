package dev.agentkernel.agent;

/** A detached command as started: its session number (for logs and kill) and its process id in the guest. */
public record DetachedProcess(long session, long pid) {
}
