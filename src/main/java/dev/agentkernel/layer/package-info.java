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
 * <p>Semantics follow containerd and umoci (the tests compare with umoci entry by entry, including random
 * layer stacks). Where a layer is malformed the flattener refuses it, as they do: an entry inside a
 * non-directory, a hard link to nothing, to a directory or replacing its own target, a path escaping the root.
 * Two deliberate differences: files under aufs metadata directories ({@code .wh..wh.plnk/...}) are dropped
 * (umoci keeps them), and overlay/rootless bookkeeping xattrs ({@code trusted.overlay.*},
 * {@code user.rootlesscontainers}) never reach the image.
 *
 * <p>References: the OCI image spec, "layer.md" (changesets, whiteouts, opaque directories); POSIX pax and GNU
 * tar formats (ustar headers, PAX records, GNU long names and sparse files).
 */
package dev.agentkernel.layer;
