package dev.agentkernel.layer;

/** Progress of a flattening, for the command line's progress display. Called on the flattening thread. */
public interface FlattenListener {
    FlattenListener NONE = new FlattenListener() {
    };

    /** {@code layer} (position {@code position} in manifest order) is about to be read. */
    default void layerStarted(int position, LayerSource layer) {
    }

    /** {@code layer} has been read: {@code compressedBytes} of blob, {@code entries} tar entries. */
    default void layerFinished(int position, LayerSource layer, long compressedBytes, int entries) {
    }
}
