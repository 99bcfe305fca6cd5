package dev.agentkernel.ext4;

import java.io.InputStream;
import java.nio.file.Path;

/** Run by {@link Ext4WriterTerminationTest} in its own JVM: starts an image, says so, then streams forever. */
public final class TerminatedWriterMain {
    private TerminatedWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Ext4Writer w = Ext4Writer.create(Path.of(args[0]), Ext4Options.builder().build())) {
            System.out.println("writing");
            System.out.flush();
            InputStream endless = new InputStream() {
                @Override
                public int read() {
                    return 1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    java.util.Arrays.fill(b, off, off + len, (byte) 1);
                    return len;
                }
            };
            w.writeContent(endless, 1L << 40); // 1 TiB: under ext4's 16 TiB, so the writer takes it, and never reached
        }
    }
}
