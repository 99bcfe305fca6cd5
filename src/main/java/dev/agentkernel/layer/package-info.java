/**
 * Layers to one tree: decompression (gzip, zstd, none), tar reading, and the flattener that merges an image's
 * layers with OCI image-spec semantics.
 *
 * <p>Entry point: {@link dev.agentkernel.layer.Flattener#flatten}, which takes the layers in manifest order as
 * {@link dev.agentkernel.layer.LayerSource}s, streams every surviving regular file's bytes into a
 * {@link dev.agentkernel.layer.ContentSink} exactly once, and returns a {@link dev.agentkernel.layer.FlatTree}.
 * Layers are read newest first, each inflated once on its own thread; see {@code Flattener} for the design and
 * why deleted data never reaches the sink.
 *
 * <p>References: the OCI image spec, "layer.md" (changesets, whiteouts, opaque directories); POSIX pax and GNU
 * tar formats (ustar headers, PAX records, GNU long names and sparse files).
 */
package dev.agentkernel.layer;
