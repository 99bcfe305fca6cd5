package dev.agentkernel.ext4;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts a POSIX ACL from the xattr form the VFS and tar use (version 2, 8-byte entries) to ext4's on-disk
 * form (version 1, 4-byte entries for owner/group/mask/other, 8-byte entries with an id for named users and
 * groups), as fs/ext4/acl.c does.
 */
final class PosixAcl {
    private static final int USER = 0x02;
    private static final int GROUP = 0x08;

    private PosixAcl() {
    }

    static byte[] toExt4(byte[] xattr, String name) {
        ByteBuffer in = ByteBuffer.wrap(xattr).order(ByteOrder.LITTLE_ENDIAN);
        if (xattr.length < 4 || (xattr.length - 4) % 8 != 0 || in.getInt() != 2) {
            throw new Ext4Exception("malformed POSIX ACL in " + name);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        word.putInt(0, 1);
        out.write(word.array(), 0, 4);
        while (in.hasRemaining()) {
            short tag = in.getShort();
            short perm = in.getShort();
            int id = in.getInt();
            word.putShort(0, tag).putShort(2, perm).putInt(4, id);
            boolean named = tag == USER || tag == GROUP;
            out.write(word.array(), 0, named ? 8 : 4);
        }
        return out.toByteArray();
    }
}
