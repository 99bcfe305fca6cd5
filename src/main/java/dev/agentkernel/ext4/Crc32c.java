package dev.agentkernel.ext4;

/**
 * CRC32C (Castagnoli) as the kernel's {@code crc32c()} computes it for ext4: a raw update from a caller-given
 * seed, without the final inversion that {@link java.util.zip.CRC32C} applies (so checksums can be chained).
 */
final class Crc32c {
    private static final int[] TABLE = new int[256];
    /** Slicing-by-8 tables: T[k][b] is the CRC of byte b followed by k zero bytes. */
    private static final int[][] T = new int[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            TABLE[i] = c;
        }
        T[0] = TABLE;
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                int prev = T[k - 1][i];
                T[k][i] = TABLE[prev & 0xff] ^ (prev >>> 8);
            }
        }
    }

    private Crc32c() {
    }

    static int update(int crc, byte[] data, int offset, int length) {
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) { // eight bytes per step
            int lo = crc ^ ((data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16
                    | (data[i + 3] & 0xff) << 24);
            crc = T[7][lo & 0xff] ^ T[6][(lo >>> 8) & 0xff] ^ T[5][(lo >>> 16) & 0xff] ^ T[4][lo >>> 24]
                    ^ T[3][data[i + 4] & 0xff] ^ T[2][data[i + 5] & 0xff] ^ T[1][data[i + 6] & 0xff]
                    ^ T[0][data[i + 7] & 0xff];
        }
        for (; i < end; i++) {
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
