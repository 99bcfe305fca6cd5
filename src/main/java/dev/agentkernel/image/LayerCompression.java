package dev.agentkernel.image;

/** How a layer blob is compressed. */
public enum LayerCompression {
    NONE, GZIP, ZSTD;

    /** The compression the first {@code length} bytes of a blob show; neither gzip nor zstd magic means NONE. */
    public static LayerCompression sniff(byte[] magic, int length) {
        if (length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }
}
