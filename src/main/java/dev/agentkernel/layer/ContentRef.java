package dev.agentkernel.layer;

/**
 * A handle to file content a {@link ContentSink} has stored. Opaque to the flattener: the sink's own type
 * (for rootfs, a wrapper of the ext4 writer's {@code FileContent}) implements it.
 */
public interface ContentRef {
}
