package dev.agentkernel.vm;

import com.github.luben.zstd.ZstdInputStream;
import dev.agentkernel.errors.VmException;
import dev.agentkernel.process.CommandRunner;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Writes the initramfs for kernels whose drivers are modules: a newc cpio archive holding the stage-one
 * init ({@code guest/init1.c}) as {@code /init}, the modules (decompressed) under {@code /lib/modules}, the
 * load order in {@code /modules.load}, and {@code /dev/console} so the kernel can give init its console.
 * Entries carry no timestamps, so the same inputs give the same bytes.
 */
public final class InitramfsWriter {
    private static final String INIT_RESOURCE = "/dev/agentkernel/guest/init1";

    private InitramfsWriter() {
    }

    /** The packed stage-one init, or a clear error when this build has none. */
    public static byte[] stageOneInit() {
        return dev.agentkernel.agent.PackagedAgent.readResource(INIT_RESOURCE,
                "this build has no stage-one init for module kernels: install musl-tools (or gcc) and rebuild");
    }

    /** Writes the archive to {@code out} (the caller makes it atomic, and closes {@code out}). */
    public static void write(List<Path> modules, byte[] init, OutputStream out) throws IOException {
        OutputStream unclosable = new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(unclosable, CpioConstants.FORMAT_NEW)) {
            directory(cpio, "dev");
            CpioArchiveEntry console = entry("dev/console", CpioConstants.C_ISCHR | 0600, 0);
            console.setRemoteDeviceMaj(5);
            console.setRemoteDeviceMin(1);
            cpio.putArchiveEntry(console);
            cpio.closeArchiveEntry();
            directory(cpio, "proc");
            directory(cpio, "lib");
            directory(cpio, "lib/modules");
            file(cpio, "init", 0755, init);
            List<String> loadOrder = new ArrayList<>();
            for (Path module : modules) {
                String name = "lib/modules/" + plainName(module);
                file(cpio, name, 0644, decompressed(module));
                loadOrder.add("/" + name);
            }
            file(cpio, "modules.load", 0644, (String.join("\n", loadOrder) + "\n").getBytes(StandardCharsets.UTF_8));
            cpio.finish();
        }
    }

    private static void directory(CpioArchiveOutputStream cpio, String name) throws IOException {
        cpio.putArchiveEntry(entry(name, CpioConstants.C_ISDIR | 0755, 0));
        cpio.closeArchiveEntry();
    }

    private static void file(CpioArchiveOutputStream cpio, String name, int mode, byte[] content) throws IOException {
        cpio.putArchiveEntry(entry(name, CpioConstants.C_ISREG | mode, content.length));
        cpio.write(content);
        cpio.closeArchiveEntry();
    }

    private static CpioArchiveEntry entry(String name, int mode, long size) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(mode);
        e.setSize(size);
        e.setTime(0);
        e.setNumberOfLinks((mode & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 2 : 1);
        return e;
    }

    /** {@code virtio_blk.ko.zst} gives {@code virtio_blk.ko}. */
    static String plainName(Path module) {
        String name = module.getFileName().toString();
        int ko = name.lastIndexOf(".ko");
        return ko >= 0 ? name.substring(0, ko + 3) : name;
    }

    /** The module's ELF bytes: as is, or decompressed from .gz, .zst or .xz (through the xz program). */
    static byte[] decompressed(Path module) throws IOException {
        String name = module.getFileName().toString();
        if (name.endsWith(".ko")) {
            return Files.readAllBytes(module);
        }
        if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(module))) {
                return in.readAllBytes();
            }
        }
        if (name.endsWith(".ko.zst")) {
            try (InputStream in = new ZstdInputStream(Files.newInputStream(module))) {
                return in.readAllBytes();
            }
        }
        if (name.endsWith(".ko.xz")) {
            Path elf = Files.createTempFile("agentkernel-module-", ".ko");
            try {
                CommandRunner.Result r = CommandRunner.runToFile(List.of("xz", "-dc", "--", module.toString()),
                        Duration.ofSeconds(60), elf);
                if (!r.succeeded()) {
                    throw new VmException("cannot decompress " + module + ": " + r.lastErrorLine());
                }
                return Files.readAllBytes(elf);
            } finally {
                Files.deleteIfExists(elf);
            }
        }
        throw new VmException("unknown module file type: " + module);
    }
}
