package dev.agentkernel.ext4;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void smallTreeIsClean() throws Exception {
        Path img = dir.resolve("a.img");
        Timestamp t = new Timestamp(1_700_000_000L, 123_456_789);
        try (Ext4Writer w = Ext4Writer.create(img, Ext4Options.builder().seed(new byte[] {1}).build())) {
            byte[] data = "hello world\n".getBytes(StandardCharsets.UTF_8);
            FileContent c = w.writeContent(new ByteArrayInputStream(data), data.length);
            w.add(new Ext4Entry.RegularFile("etc/hello", Metadata.of(0644, 1000, 1000, t), c));
            w.add(new Ext4Entry.Symlink("bin/sh", Metadata.of(0777, 0, 0, t), "busybox"));
            w.add(new Ext4Entry.Symlink("long", Metadata.of(0777, 0, 0, t), "x".repeat(100)));
            w.add(new Ext4Entry.HardLink("etc/hello2", "etc/hello"));
            w.add(new Ext4Entry.Device("dev/null", Metadata.of(0666, 0, 0, t), false, 1, 3));
            w.add(new Ext4Entry.Fifo("run/fifo", Metadata.of(0600, 0, 0, t)));
            w.add(new Ext4Entry.RegularFile("cap", Metadata.of(0755, 0, 0, t)
                    .withXattrs(Map.of("security.capability", new byte[20], "user.x", "y".getBytes())),
                    w.writeContent(new ByteArrayInputStream(new byte[0]), 0)));
            w.finish();
        }
        Tools.assertFsckClean(img);
        assertThat(Tools.debugfs(img, "cat /etc/hello")).isEqualTo("hello world\n");
    }
}
