package dev.agentkernel.image;

/** How a layer blob is compressed. */
public enum LayerCompression {
    NONE, GZIP, ZSTD
}
