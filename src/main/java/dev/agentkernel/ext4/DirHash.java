package dev.agentkernel.ext4;

/**
 * The htree name hash: half-MD4 over the name with the superblock's hash seed, as the kernel's
 * {@code ext4fs_dirhash} computes it (fs/ext4/hash.c), in its "unsigned char" variant
 * (the superblock carries EXT2_FLAGS_UNSIGNED_HASH).
 */
final class DirHash {
    private static final int K2 = 013240474631;
    private static final int K3 = 015666365641;

    private final int[] seed;

    /** @param seed the four little-endian words of s_hash_seed */
    DirHash(int[] seed) {
        boolean allZero = seed[0] == 0 && seed[1] == 0 && seed[2] == 0 && seed[3] == 0;
        this.seed = allZero ? new int[] {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476} : seed.clone();
    }

    /** The major hash of a name (low bit clear), as stored in dx entries. */
    int hash(byte[] name) {
        int[] buf = seed.clone();
        int[] in = new int[8];
        int len = name.length;
        int p = 0;
        while (len > 0) {
            toHashBuffer(name, p, len, in);
            transform(buf, in);
            len -= 32;
            p += 32;
        }
        int hash = buf[1] & ~1;
        if (hash == (0x7fffffff << 1)) {
            hash = (0x7fffffff - 1) << 1;
        }
        return hash;
    }

    /** str2hashbuf_unsigned: packs up to 32 bytes into 8 words, padded with a length-derived pattern. */
    private static void toHashBuffer(byte[] msg, int offset, int len, int[] out) {
        int pad = len | (len << 8);
        pad |= pad << 16;
        int val = pad;
        int num = 8;
        int limit = Math.min(len, num * 4);
        int o = 0;
        for (int i = 0; i < limit; i++) {
            val = (msg[offset + i] & 0xff) + (val << 8);
            if (i % 4 == 3) {
                out[o++] = val;
                val = pad;
                num--;
            }
        }
        if (--num >= 0) {
            out[o++] = val;
        }
        while (--num >= 0) {
            out[o++] = pad;
        }
    }

    private static int f(int x, int y, int z) {
        return z ^ (x & (y ^ z));
    }

    private static int g(int x, int y, int z) {
        return (x & y) + ((x ^ y) & z);
    }

    private static int h(int x, int y, int z) {
        return x ^ y ^ z;
    }

    private static void transform(int[] buf, int[] in) {
        int a = buf[0];
        int b = buf[1];
        int c = buf[2];
        int d = buf[3];
        a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
        a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);

        a = Integer.rotateLeft(a + g(b, c, d) + in[1] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[3] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[5] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[7] + K2, 13);
        a = Integer.rotateLeft(a + g(b, c, d) + in[0] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[2] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[4] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[6] + K2, 13);

        a = Integer.rotateLeft(a + h(b, c, d) + in[3] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[7] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[2] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[6] + K3, 15);
        a = Integer.rotateLeft(a + h(b, c, d) + in[1] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[5] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[0] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[4] + K3, 15);

        buf[0] += a;
        buf[1] += b;
        buf[2] += c;
        buf[3] += d;
    }
}
