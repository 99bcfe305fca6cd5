package dev.agentkernel.ext4;

/**
 * CRC32C (Castagnoli) as the kernel's {@code crc32c()} computes it for ext4: a raw update from a caller-given
 * seed, without the final inversion that {@link java.util.zip.CRC32C} applies (so checksums can be chained).
 */
final class Crc32c {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32c() {
    }

    static int update(int crc, byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }

    static int update(int crc, byte[] data) {
        return update(crc, data, 0, data.length);
    }

    static int updateInt(int crc, int littleEndianValue) {
        for (int i = 0; i < 4; i++) {
            crc = TABLE[(crc ^ (littleEndianValue >>> (8 * i))) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }

    static int updateLong(int crc, long littleEndianValue) {
        crc = updateInt(crc, (int) littleEndianValue);
        return updateInt(crc, (int) (littleEndianValue >>> 32));
    }
}
