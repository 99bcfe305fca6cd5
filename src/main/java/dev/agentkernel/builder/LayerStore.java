package dev.agentkernel.builder;

import dev.agentkernel.errors.StoreException;
import dev.agentkernel.image.Digest;
import dev.agentkernel.store.BlobStore;
import dev.agentkernel.store.TemporaryFiles;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes layers into the blob store: the tar is gzip-compressed (fastest level: the machines have two cores) into
 * a scratch file while both digests are computed, and the file is then moved into place under its digest. The
 * gzip header carries no time or name, so equal entries give equal blobs. A failure deletes the scratch file.
 */
final class LayerStore {
    /** Writes a layer's entries. */
    @FunctionalInterface
    interface Content {
        void writeTo(TarWriter tar) throws IOException;
    }

    private final BlobStore blobs;

    LayerStore(BlobStore blobs) {
        this.blobs = blobs;
    }

    BlobStore blobs() {
        return blobs;
    }

    LayerBlob write(Content content) {
        Path scratch = blobs.scratchDirectory().resolve("build-" + TemporaryFiles.ownerTag() + "-"
                + UUID.randomUUID() + ".tar.gz");
        try {
            MessageDigest compressed = sha256();
            MessageDigest tar = sha256();
            long size;
            try (OutputStream file = Files.newOutputStream(scratch);
                 CountingOutput counted = new CountingOutput(new BufferedOutputStream(file, 1 << 16));
                 DigestOutputStream blob = new DigestOutputStream(counted, compressed)) {
                GZIPOutputStream gzip = new GZIPOutputStream(blob, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                };
                DigestOutputStream uncompressed = new DigestOutputStream(new BufferedOutputStream(gzip, 1 << 16), tar);
                TarWriter writer = new TarWriter(uncompressed);
                content.writeTo(writer);
                writer.finish();
                uncompressed.flush();
                gzip.finish();
                blob.flush();
                size = counted.count;
            }
            Digest digest = Digest.of("sha256", compressed.digest());
            Digest diffId = Digest.of("sha256", tar.digest());
            blobs.adopt(scratch, digest);
            return new LayerBlob(digest, size, LayerBlob.GZIP_TAR, diffId);
        } catch (IOException e) {
            throw new StoreException("cannot write a layer: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // swept as an orphaned temporary by a later run
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CountingOutput extends java.io.FilterOutputStream {
        long count;

        CountingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
