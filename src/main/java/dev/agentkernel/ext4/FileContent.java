package dev.agentkernel.ext4;

/**
 * The bytes of one regular file, already in the image's data blocks ({@link Ext4Writer#writeContent}). Hand it
 * to exactly one {@link Ext4Entry.RegularFile}; hard links name the file, not its content.
 */
public final class FileContent {
    private final long length;
    private final ExtentList extents;
    private State state = State.WRITTEN;

    enum State { WRITTEN, USED, DISCARDED }

    FileContent(long length, ExtentList extents) {
        this.length = length;
        this.extents = extents;
    }

    /** The file size in bytes (holes included). */
    public long length() {
        return length;
    }

    ExtentList extents() {
        return extents;
    }

    synchronized State state() {
        return state;
    }

    synchronized void moveTo(State newState) {
        state = newState;
    }
}
