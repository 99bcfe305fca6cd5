package dev.agentkernel.ext4;

/** A point in time as seconds since the Unix epoch plus nanoseconds, as ext4 stores it (no clock involved). */
public record Timestamp(long seconds, int nanos) {
    /** The range ext4's 34-bit seconds with epoch bits can hold. */
    static final long MIN_SECONDS = Integer.MIN_VALUE;
    static final long MAX_SECONDS = (1L << 34) + Integer.MIN_VALUE - 1;

    public static final Timestamp EPOCH = new Timestamp(0, 0);

    public Timestamp {
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException("nanoseconds out of range: " + nanos);
        }
        if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("time out of the range ext4 can store: " + seconds);
        }
    }

    public static Timestamp ofSeconds(long seconds) {
        return new Timestamp(seconds, 0);
    }

    /** The 32-bit seconds field of an inode. */
    int lowSeconds() {
        return (int) seconds;
    }

    /** The *_extra field: two epoch bits then the nanoseconds (kernel ext4_encode_extra_time). */
    int extra() {
        long epochBits = ((seconds - (int) seconds) >> 32) & 3;
        return (int) (epochBits | ((long) nanos << 2));
    }
}
