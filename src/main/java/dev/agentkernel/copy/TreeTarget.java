package dev.agentkernel.copy;

import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyInStream;

/**
 * Where a tree read on the host goes, in copy order: the root {@code .} first, a directory before its contents,
 * each file's data after its entry at increasing offsets (what is not sent is a hole).
 */
interface TreeTarget {
    void entry(CopyEntry entry);

    void data(long offset, byte[] bytes, int from, int length);

    static TreeTarget of(CopyInStream stream) {
        return new TreeTarget() {
            @Override
            public void entry(CopyEntry entry) {
                stream.entry(entry);
            }

            @Override
            public void data(long offset, byte[] bytes, int from, int length) {
                stream.data(offset, bytes, from, length);
            }
        };
    }
}
