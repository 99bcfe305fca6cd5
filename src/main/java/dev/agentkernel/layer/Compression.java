package dev.agentkernel.layer;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.agentkernel.errors.ImageException;
import dev.agentkernel.errors.Quote;
import dev.agentkernel.image.LayerCompression;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.GZIPInputStream;

/** The compressions a layer blob can have, recognised from the media type and checked against magic bytes. */
public enum Compression {
    NONE, GZIP, ZSTD;

    private static final int GZIP_BUFFER = 1 << 16;

    /**
     * The compression a layer media type names, or {@code null} for "unknown, detect it" (no media type).
     * Throws {@link ImageException} for media types that are not layers.
     */
    public static Compression fromMediaType(String mediaType, String layerName) {
        if (mediaType == null || mediaType.isEmpty()) {
            return null;
        }
        String base = mediaType.strip();
        if (base.endsWith("+gzip") || base.endsWith(".tar.gzip")) {
            return GZIP;
        }
        if (base.endsWith("+zstd") || base.endsWith(".tar.zstd")) {
            return ZSTD;
        }
        if (base.endsWith(".tar") || base.endsWith("layer.v1.tar")) {
            return NONE;
        }
        throw new ImageException(layerName + " has media type " + Quote.name(mediaType)
                + ", which is not a layer agentkernel can read (tar, tar+gzip or tar+zstd)");
    }

    /** The compression the first bytes of a blob show; data that is neither gzip nor zstd is taken as tar. */
    static Compression sniff(byte[] magic, int length) {
        return switch (LayerCompression.sniff(magic, length)) {
            case GZIP -> GZIP;
            case ZSTD -> ZSTD;
            case NONE -> NONE;
        };
    }

    /**
     * Wraps the raw blob in a decompressor after checking its magic bytes against {@code declared} (null:
     * detect). A mismatch is an {@link ImageException} naming the layer.
     */
    static InputStream decompress(InputStream raw, Compression declared, String layerName) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 4);
        byte[] magic = new byte[4];
        int n = in.readNBytes(magic, 0, 4);
        in.unread(magic, 0, n);
        Compression actual = sniff(magic, n);
        if (declared != null && declared != actual) {
            if (declared == NONE || n == 0 || actual != NONE) {
                throw new ImageException(layerName + " is declared " + declared.describe() + " but its data is "
                        + (n == 0 ? "empty" : actual.describe()));
            }
            throw new ImageException(layerName + " is declared " + declared.describe()
                    + " but does not start with the " + declared.describe() + " magic bytes");
        }
        return switch (actual) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, GZIP_BUFFER);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
        };
    }

    String describe() {
        return switch (this) {
            case NONE -> "an uncompressed tar";
            case GZIP -> "gzip";
            case ZSTD -> "zstd";
        };
    }
}
