package dev.agentkernel.rootfs;

import dev.agentkernel.image.source.SourceSpec;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.Ext4Check;
import dev.agentkernel.testing.LoopMount;
import dev.agentkernel.testing.OciLayoutWriter;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.Umoci;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * File names and symlink targets that are not UTF-8 (Linux names are bytes; images made on Latin-1 systems carry
 * such names) reach the root filesystem byte for byte, as umoci unpacks them. Names are compared as bytes, by
 * Python, because Java's own file API decodes them lossily.
 */
@Tag("integration")
class RawNamesIT {
    /** Writes a tar whose names are given as bytes (Python's tarfile with surrogateescape keeps them raw). */
    private static final String MAKE_TAR = String.join("\n",
            "import io, sys, tarfile",
            "out = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT, encoding='utf-8', errors='surrogateescape')",
            "def name(b): return b.decode('utf-8', 'surrogateescape')",
            "def add(b, data=None, kind=tarfile.REGTYPE, target=None):",
            "    info = tarfile.TarInfo(name(b)); info.type = kind; info.mtime = 1700000000",
            "    if kind == tarfile.DIRTYPE: info.mode = 0o755",
            "    if target is not None: info.linkname = name(target)",
            "    if data is not None: info.size = len(data)",
            "    out.addfile(info, io.BytesIO(data) if data is not None else None)",
            "add(b'caf\\xc3\\xa9', b'utf-8 name')",
            "add(b'caf\\xe9', b'latin-1 name')",
            "add(b'dir-\\xff', kind=tarfile.DIRTYPE)",
            "add(b'dir-\\xff/f\\x80\\x81', b'inside')",
            "add(b'smile-\\xf0\\x9f\\x98\\x80-\\xe9', b'emoji and a raw byte')",
            "add(b'link-latin1', kind=tarfile.SYMTYPE, target=b'caf\\xe9')",
            "add(b'link-\\xfe', kind=tarfile.SYMTYPE, target=b'/opt/\\xfe\\xfd/bin')",
            "add(b'hard-\\xe9', kind=tarfile.LNKTYPE, target=b'caf\\xe9')",
            "out.close()");

    /** Every path below a root as hex bytes, with its type, content or link target: one line each, sorted. */
    private static final String LIST_TREE = String.join("\n",
            "import os, sys",
            "root = os.fsencode(sys.argv[1]); skip = {b'dev', b'proc', b'sys', b'tmp', b'run', b'root', b'app', b'usr',",
            "    b'etc', b'lost+found', b'init'}",
            "lines = []",
            "for d, dirs, files in os.walk(root):",
            "    rel = os.path.relpath(d, root)",
            "    if rel != b'.' and rel.split(b'/')[0] in skip: continue",
            "    for n in dirs + files:",
            "        p = os.path.join(d, n); r = os.path.relpath(p, root)",
            "        if r.split(b'/')[0] in skip: continue",
            "        if os.path.islink(p): what = b'link ' + os.readlink(p).hex().encode()",
            "        elif os.path.isdir(p): what = b'dir'",
            "        else: what = b'file ' + open(p, 'rb').read().hex().encode()",
            "        lines.append(r.hex().encode() + b' ' + what)",
            "sys.stdout.buffer.write(b'\\n'.join(sorted(lines)))");

    @Test
    void namesThatAreNotUtf8PassThroughUnchanged(@TempDir Path work) throws Exception {
        RequiredTools.requireRoot();
        Path tar = work.resolve("layer.tar");
        python(MAKE_TAR, tar.toString());
        OciLayoutWriter.write(work.resolve("layout"), "v1",
                List.of(OciLayoutWriter.Layer.gzip(Files.readAllBytes(tar))));

        RootfsResult result = new RootfsConverter(AgentkernelHome.at(work.resolve("home"))).convert(
                SourceSpec.parse("oci:" + work.resolve("layout") + ":v1"),
                RootfsConverterIT.noAgent().withOutput(work.resolve("rootfs.ext4")));
        Ext4Check.assertClean(result.path());

        String ours;
        try (LoopMount mount = LoopMount.readOnly(result.path(), work)) {
            ours = python(LIST_TREE, mount.dir().toString());
        }
        String umoci = python(LIST_TREE, Umoci.unpack(work.resolve("layout"), "v1", work.resolve("umoci")).toString());
        assertThat(ours).isEqualTo(umoci);
        assertThat(ours.lines()).contains(
                hex("caf\u00c3\u00a9") + " file " + hex("utf-8 name"),
                hex("caf\u00e9") + " file " + hex("latin-1 name"),
                hex("dir-\u00ff/f\u0080\u0081") + " file " + hex("inside"),
                hex("link-latin1") + " link " + hex("caf\u00e9"),
                hex("link-\u00fe") + " link " + hex("/opt/\u00fe\u00fd/bin"),
                hex("hard-\u00e9") + " file " + hex("latin-1 name"));
    }

    /** The hex of a string's characters taken as bytes 0-255 (ISO-8859-1). */
    private static String hex(String latin1) {
        StringBuilder sb = new StringBuilder();
        for (byte b : latin1.getBytes(StandardCharsets.ISO_8859_1)) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    private static String python(String script, String argument) throws IOException, InterruptedException {
        RequiredTools.require("python3");
        Process p = new ProcessBuilder("python3", "-c", script, argument).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("python3 failed: " + output);
        }
        return output;
    }
}
