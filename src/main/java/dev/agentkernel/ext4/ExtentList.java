package dev.agentkernel.ext4;

import java.util.Arrays;

/** A growing list of extents (logical block, physical block, length), merged where contiguous. */
final class ExtentList {
    static final int MAX_EXTENT_LENGTH = 32768; // initialized extents hold at most 2^15 blocks

    private long[] logical = new long[4];
    private long[] physical = new long[4];
    private int[] length = new int[4];
    private int size;

    void add(long logicalBlock, long physicalBlock, long count) {
        while (count > 0) {
            int last = size - 1;
            if (last >= 0 && logical[last] + length[last] == logicalBlock
                    && physical[last] + length[last] == physicalBlock && length[last] < MAX_EXTENT_LENGTH) {
                int take = (int) Math.min(count, MAX_EXTENT_LENGTH - length[last]);
                length[last] += take;
                logicalBlock += take;
                physicalBlock += take;
                count -= take;
                continue;
            }
            if (size == logical.length) {
                logical = Arrays.copyOf(logical, size * 2);
                physical = Arrays.copyOf(physical, size * 2);
                length = Arrays.copyOf(length, size * 2);
            }
            int take = (int) Math.min(count, MAX_EXTENT_LENGTH);
            logical[size] = logicalBlock;
            physical[size] = physicalBlock;
            length[size] = take;
            size++;
            logicalBlock += take;
            physicalBlock += take;
            count -= take;
        }
    }

    int size() {
        return size;
    }

    long logical(int i) {
        return logical[i];
    }

    long physical(int i) {
        return physical[i];
    }

    int length(int i) {
        return length[i];
    }

    long totalBlocks() {
        long total = 0;
        for (int i = 0; i < size; i++) {
            total += length[i];
        }
        return total;
    }
}
