package dev.agentkernel.agent;

/**
 * Bytes of a detached command's log from the offset asked for; {@code nextOffset} is where to ask next,
 * {@code eof} says there are no more bytes now, {@code running} whether the command still runs (more may come),
 * {@code truncated} that the log reached the agent's limit and later output was dropped.
 */
public record LogChunk(byte[] content, long nextOffset, boolean eof, boolean running, boolean truncated) {
}
