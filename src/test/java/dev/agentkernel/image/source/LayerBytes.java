package dev.agentkernel.image.source;

import com.github.luben.zstd.ZstdInputStream;
import dev.agentkernel.image.ImageLayer;
import dev.agentkernel.image.LayerCompression;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Test helper: a layer's uncompressed tar bytes, verified against blob digest and diff_id. */
final class LayerBytes {
    private LayerBytes() {
    }

    static byte[] uncompressed(ImageLayer layer) throws IOException {
        LayerCompression c = layer.declaredCompression();
        try (InputStream blob = layer.open();
             InputStream raw = c == LayerCompression.GZIP ? new GZIPInputStream(blob, 65536)
                     : c == LayerCompression.ZSTD ? new ZstdInputStream(blob) : blob;
             InputStream tar = layer.verifyUncompressed(raw)) {
            return tar.readAllBytes();
        }
    }
}
