package dev.agentkernel.copy;

import dev.agentkernel.agent.RunResult;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.rootfs.ConversionListener;
import dev.agentkernel.sandbox.CreateRequest;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxExec;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxService;
import dev.agentkernel.store.AgentkernelHome;
import dev.agentkernel.testing.BusyboxImages;
import dev.agentkernel.testing.ExternalCommand;
import dev.agentkernel.testing.RequiredTools;
import dev.agentkernel.testing.TreeSnapshot;
import dev.agentkernel.vm.VmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code cp} against one real sandbox (QEMU, TCG) shared by every case: trees round-tripped host → guest → host
 * and compared entry by entry (modes, owners, mtimes, symlinks, hard links), a 2 GiB sparse and a 200 MB random
 * file both ways in a JVM of 16 MB of heap, docker cp's path forms both ways, tar streams read and written by
 * GNU tar and bsdtar, a hostile guest's symlinks, and the errors.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CpSandboxTest {
    private static final SandboxName NAME = SandboxName.of("cp");

    private Path work;
    private Path homeDir;
    private BusyboxImages images;
    private SandboxService service;
    private SandboxExec exec;
    private Copier copier;

    @BeforeAll
    void create() throws IOException {
        VmFixtures.requireQemuAndKernel();
        RequiredTools.require("tar");
        RequiredTools.require("bsdtar");
        work = Files.createTempDirectory("ak-cp-test");
        homeDir = work.resolve("home");
        images = new BusyboxImages(work);
        String image = VmFixtures.busyboxArchive(images);
        service = new SandboxService(AgentkernelHome.at(homeDir), System.getenv());
        exec = new SandboxExec(service);
        copier = new Copier(service);
        service.create(new CreateRequest(NAME, image, 256, 1, Map.of(), null, Map.of(), null, true, "qemu", null, "tcg",
                null, null), ConversionListener.NONE);
    }

    @AfterAll
    void cleanUp() throws IOException {
        try {
            if (homeDir != null) {
                assertThat(VmFixtures.removeEverySandbox(homeDir)).as("monitors rm -f did not end").isEmpty();
            }
        } finally {
            if (images != null) {
                images.close();
            }
            if (work != null) {
                HostPaths.deleteTree(work);
            }
        }
    }

    private String guest(String script) {
        RunResult r = exec.run(NAME, ExecRequest.of(List.of("sh", "-c", script)));
        assertThat(r.exitCode()).as(script + ": " + r.stderr()).isZero();
        return r.stdout();
    }

    private CopyResult cp(String src, String dst) {
        return copier.copy(src, dst, false, new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
    }

    private CpRun cli(String heap, Path stdin, Path stdout, String... args) throws IOException, InterruptedException {
        return CpRun.run(homeDir, heap, stdin, stdout, args);
    }

    private Path fresh(String name) throws IOException {
        return Files.createDirectories(Files.createTempDirectory(work, name));
    }

    /** A tree with every kind the copy keeps: modes with setuid/setgid/sticky, owners, nanosecond mtimes, links. */
    private Path sampleTree(Path parent) throws IOException {
        Path t = Files.createDirectory(parent.resolve("tree"));
        Path priv = Files.createDirectory(t.resolve("private"));
        Path shared = Files.createDirectory(t.resolve("shared"));
        Path deep = Files.createDirectories(t.resolve("a/b/c/d"));
        Files.writeString(t.resolve("plain.txt"), "plain text\n");
        Files.write(t.resolve("empty"), new byte[0]);
        byte[] random = new byte[300_000];
        new Random(7).nextBytes(random);
        Files.write(priv.resolve("random.bin"), random);
        Files.writeString(t.resolve("tool"), "#!/bin/sh\necho tool\n");
        Files.writeString(t.resolve("group-tool"), "#!/bin/sh\n");
        Files.writeString(deep.resolve("leaf"), "leaf");
        Files.writeString(t.resolve("owned"), "owned by 1234:5678");
        Files.setAttribute(t.resolve("owned"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(t.resolve("owned"), "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
        Files.createLink(t.resolve("hard1"), t.resolve("plain.txt"));
        Files.createLink(deep.resolve("hard2"), t.resolve("plain.txt"));
        Files.createSymbolicLink(t.resolve("rel-link"), Path.of("plain.txt"));
        Files.createSymbolicLink(t.resolve("abs-link"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(t.resolve("dangling"), Path.of("no/such/file"));
        Files.createSymbolicLink(t.resolve("dir-link"), Path.of("a/b"));
        Map<Path, Integer> modes = new LinkedHashMap<>();
        modes.put(t.resolve("plain.txt"), 0644);
        modes.put(priv.resolve("random.bin"), 0600);
        modes.put(t.resolve("tool"), 04755);
        modes.put(t.resolve("group-tool"), 02750);
        modes.put(t.resolve("empty"), 0444);
        modes.put(priv, 0700);
        modes.put(shared, 01777);
        modes.forEach((p, m) -> {
            try {
                Files.setAttribute(p, "unix:mode", m);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Files.setLastModifiedTime(t.resolve("tool"), FileTime.from(Instant.ofEpochSecond(1_000_000_000L, 123_456_789)));
        setDirTimes(t, 1_500_000_000L);
        return t;
    }

    private static void setDirTimes(Path root, long seconds) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(seconds, 987_654_321)));
                }
            }
        }
    }

    private static Map<String, TreeSnapshot.Entry> snapshot(Path root) throws Exception {
        return TreeSnapshot.ofDirectory(root);
    }

    /** The snapshot with symlinks' mtimes cut to microseconds (Java sets a symlink's times with lutimes). */
    private static Map<String, TreeSnapshot.Entry> symlinkMicros(Map<String, TreeSnapshot.Entry> s) {
        Map<String, TreeSnapshot.Entry> out = new java.util.TreeMap<>();
        s.forEach((k, e) -> out.put(k, e.type() != 'l' ? e : new TreeSnapshot.Entry(e.type(), e.mode(), e.uid(), e.gid(),
                e.size(), e.sha256(), e.target(), e.xattrs(), e.major(), e.minor(),
                e.mtime().truncatedTo(java.time.temporal.ChronoUnit.MICROS), e.linkGroup())));
        return out;
    }

    /** The snapshot with every mtime cut to whole seconds (what a tar without pax times keeps). */
    private static Map<String, TreeSnapshot.Entry> seconds(Map<String, TreeSnapshot.Entry> s) {
        Map<String, TreeSnapshot.Entry> out = new java.util.TreeMap<>();
        s.forEach((k, e) -> out.put(k, new TreeSnapshot.Entry(e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.sha256(),
                e.target(), e.xattrs(), e.major(), e.minor(), Instant.ofEpochSecond(e.mtime().getEpochSecond()),
                e.linkGroup())));
        return out;
    }

    @Test
    void aTreeRoundTripsHostToGuestToHostWithEveryModeOwnerMtimeAndLink() throws Exception {
        Path src = sampleTree(fresh("src"));
        CopyResult in = cp(src.toString(), NAME + ":/root/");
        assertThat(in.destination()).isEqualTo(NAME + ":/root/tree");
        assertThat(guest("stat -c '%a %u:%g %h' /root/tree/tool /root/tree/owned /root/tree/shared /root/tree/private"
                + " /root/tree/plain.txt; readlink /root/tree/abs-link"))
                .isEqualTo("4755 0:0 1\n644 1234:5678 1\n1777 0:0 2\n700 0:0 2\n644 0:0 3\n/etc/passwd\n");
        Path back = fresh("back");
        CopyResult out = cp(NAME + ":/root/tree", back.toString());
        assertThat(out.destination()).isEqualTo(back.toRealPath().resolve("tree").toString());
        assertThat(symlinkMicros(snapshot(back.resolve("tree")))).isEqualTo(symlinkMicros(snapshot(src)));
        try (Stream<Path> s = Files.list(back)) {
            assertThat(s.toList()).as("no temporary names left").hasSize(1);
        }
    }

    @Test
    void a2GiBSparseFileAndA200MBRandomFileCopyBothWaysIn16MBOfHeap() throws Exception {
        Path dir = fresh("big");
        Path sparse = dir.resolve("sparse");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(2L << 30);
            f.seek(0);
            f.write("start".getBytes());
            f.seek(1_000_000_007L);
            f.write("middle".getBytes());
            f.seek((2L << 30) - 3);
            f.write("end".getBytes());
        }
        Path random = dir.resolve("random");
        try (OutputStream o = Files.newOutputStream(random)) {
            Random r = new Random(42);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                r.nextBytes(chunk);
                o.write(chunk);
            }
        }
        String sparseSum = VmFixtures.sha256(sparse);
        String randomSum = VmFixtures.sha256(random);

        CpRun sparseIn = cli("16m", null, null, sparse.toString(), NAME + ":/root/sparse");
        assertThat(sparseIn.exitCode()).as(sparseIn.err()).isZero();
        CpRun randomIn = cli("16m", null, null, random.toString(), NAME + ":/root/random");
        assertThat(randomIn.exitCode()).as(randomIn.err()).isZero();
        // in the guest (sha256sum of 2 GiB under TCG takes minutes): the random file's digest, the sparse file's
        // size, its three pieces of data and the little it takes; the round trip below compares every byte
        assertThat(guest("sha256sum /root/random | cut -d' ' -f1; stat -c %s /root/sparse; dd if=/root/sparse bs=1"
                + " skip=1000000007 count=6 2>/dev/null; echo; du -k /root/sparse | cut -f1"))
                .startsWith(randomSum + "\n" + (2L << 30) + "\nmiddle\n")
                .satisfies(s -> assertThat(Long.parseLong(s.strip().substring(s.strip().lastIndexOf('\n') + 1)))
                        .as("KiB the sparse file takes in the guest").isLessThan(1024));

        Path back = fresh("bigback");
        CpRun sparseOut = cli("16m", null, null, NAME + ":/root/sparse", back.toString());
        assertThat(sparseOut.exitCode()).as(sparseOut.err()).isZero();
        CpRun randomOut = cli("16m", null, null, NAME + ":/root/random", back.toString());
        assertThat(randomOut.exitCode()).as(randomOut.err()).isZero();
        assertThat(VmFixtures.sha256(back.resolve("sparse"))).isEqualTo(sparseSum);
        assertThat(VmFixtures.sha256(back.resolve("random"))).isEqualTo(randomSum);
        assertThat(Files.size(back.resolve("sparse"))).isEqualTo(2L << 30);
        String blocks = ExternalCommand.run(java.time.Duration.ofMinutes(2), List.of("stat", "-c", "%b",
                back.resolve("sparse").toString())).stdout().strip();
        assertThat(Long.parseLong(blocks) * 512).as("bytes the sparse copy takes on the host").isLessThan(1L << 20);
        System.out.printf("cp timings (ms, 16 MB heap): 2 GiB sparse in %d out %d; 200 MB random in %d out %d%n",
                sparseIn.millis(), sparseOut.millis(), randomIn.millis(), randomOut.millis());
        guest("rm -f /root/sparse /root/random");
    }

    @Test
    void dockerPathFormsIntoTheGuest() throws Exception {
        Path dir = fresh("forms");
        Path file = Files.writeString(dir.resolve("f.txt"), "file");
        Path d = Files.createDirectory(dir.resolve("d"));
        Files.writeString(d.resolve("inner"), "inner");
        guest("rm -rf /f && mkdir -p /f/dir /f/merge /f/clash/f.txt && echo old > /f/merge/keep && echo old > /f/file");

        assertThat(cp(file.toString(), NAME + ":/f/new.txt").destination()).isEqualTo(NAME + ":/f/new.txt");
        assertThatThrownBy(() -> cp(file.toString(), NAME + ":/f/nodir/")).isInstanceOf(UserInputException.class)
                .hasMessageContaining("does not exist");
        assertThat(cp(file.toString(), NAME + ":/f/dir").destination()).isEqualTo(NAME + ":/f/dir/f.txt");
        assertThat(cp(file.toString(), NAME + ":f/file").destination()).isEqualTo(NAME + ":/f/file");
        assertThatThrownBy(() -> cp(file.toString(), NAME + ":/f/file/")).hasMessageContaining("is not a directory");
        assertThat(cp(d.toString(), NAME + ":/f/madedir").destination()).isEqualTo(NAME + ":/f/madedir");
        assertThatThrownBy(() -> cp(d.toString(), NAME + ":/f/file")).hasMessageContaining("onto file");
        assertThat(cp(d.toString(), NAME + ":/f/dir").destination()).isEqualTo(NAME + ":/f/dir/d");
        assertThat(cp(d + "/.", NAME + ":/f/merge").destination()).isEqualTo(NAME + ":/f/merge");
        assertThatThrownBy(() -> cp(file + "/", NAME + ":/f/dir")).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> cp(file.toString(), NAME + ":/f/clash")).hasMessageContaining("cannot overwrite directory");

        assertThat(guest("cd /f && find . | sort && cat file merge/keep merge/inner"))
                .isEqualTo(".\n./clash\n./clash/f.txt\n./dir\n./dir/d\n./dir/d/inner\n./dir/f.txt\n./file\n./madedir\n./madedir/inner\n./merge\n"
                        + "./merge/inner\n./merge/keep\n./new.txt\nfileold\ninner");
    }

    @Test
    void dockerPathFormsOntoTheHost() throws Exception {
        guest("rm -rf /g && mkdir -p /g/d/sub && echo inner > /g/d/sub/inner && echo file > /g/f.txt"
                + " && ln -s /g/d /g/dlink");
        Path out = fresh("hostforms");
        Files.createDirectory(out.resolve("dir"));
        Files.createDirectory(out.resolve("merge"));
        Files.writeString(out.resolve("merge/keep"), "old");
        Files.writeString(out.resolve("file"), "old");

        assertThat(cp(NAME + ":/g/f.txt", out.resolve("new.txt").toString()).destination()).endsWith("/new.txt");
        assertThatThrownBy(() -> cp(NAME + ":/g/f.txt", out.resolve("nodir") + "/")).hasMessageContaining("does not exist");
        assertThat(cp(NAME + ":/g/f.txt", out.resolve("dir").toString()).destination()).endsWith("/dir/f.txt");
        assertThat(cp(NAME + ":/g/f.txt", out.resolve("file").toString()).destination()).endsWith("/file");
        assertThat(cp(NAME + ":/g/d", out.resolve("made").toString()).destination()).endsWith("/made");
        assertThatThrownBy(() -> cp(NAME + ":/g/d", out.resolve("file").toString())).hasMessageContaining("onto file");
        assertThat(cp(NAME + ":/g/d", out.resolve("dir").toString()).destination()).endsWith("/dir/d");
        assertThat(cp(NAME + ":/g/d/.", out.resolve("merge").toString()).destination()).endsWith("/merge");
        assertThat(cp(NAME + ":/g/dlink", out.resolve("link").toString()).destination()).endsWith("/link");
        assertThat(cp(NAME + ":/g/dlink/", out.resolve("followed").toString()).destination()).endsWith("/followed");
        assertThatThrownBy(() -> cp(NAME + ":/g/f.txt/", out.toString())).hasMessageContaining("is not a directory");

        assertThat(Files.readString(out.resolve("file"))).isEqualTo("file\n");
        assertThat(Files.readString(out.resolve("merge/keep"))).isEqualTo("old");
        assertThat(Files.readString(out.resolve("merge/sub/inner"))).isEqualTo("inner\n");
        assertThat(Files.readString(out.resolve("dir/d/sub/inner"))).isEqualTo("inner\n");
        assertThat(Files.readString(out.resolve("made/sub/inner"))).isEqualTo("inner\n");
        assertThat(Files.readSymbolicLink(out.resolve("link")).toString()).isEqualTo("/g/d");
        assertThat(Files.isDirectory(out.resolve("followed"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.exists(out.resolve("nodir"))).isFalse();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("dir", "file", "followed", "link", "made", "merge", "new.txt");
        }
    }

    @Test
    void tarStreamsOnStdoutAreReadByGnuTarAndBsdtarAndTarStreamsOnStdinAreTaken() throws Exception {
        Path src = sampleTree(fresh("tarsrc"));
        guest("mkdir -p /t");
        cp(src.toString(), NAME + ":/t/");
        Path tar = work.resolve("out.tar");
        CpRun out = cli("64m", null, tar, NAME + ":/t/tree", "-");
        assertThat(out.exitCode()).as(out.err()).isZero();
        Map<String, TreeSnapshot.Entry> expected = seconds(snapshot(src));
        for (List<String> extract : List.of(List.of("tar", "-xpf"), List.of("bsdtar", "-xpf"))) {
            Path into = fresh("x" + extract.get(0));
            ExternalCommand.run(java.time.Duration.ofMinutes(2), List.of(extract.get(0), extract.get(1), tar.toString(), "-C", into.toString()));
            assertThat(seconds(snapshot(into.resolve("tree")))).as(extract.get(0)).isEqualTo(expected);
        }
        String listing = ExternalCommand.run(java.time.Duration.ofMinutes(2), List.of("tar", "-tvf", tar.toString())).stdout();
        assertThat(listing).contains("tree/tool").contains("tree/hard1 link to tree/")
                .contains("tree/abs-link -> /etc/passwd").contains("1234/5678");

        // and into the guest: a tar made by GNU tar, and a pax one made by bsdtar, into existing directories
        guest("mkdir -p /fromgnu /frombsd");
        Path gnu = work.resolve("gnu.tar");
        ExternalCommand.run(java.time.Duration.ofMinutes(2), List.of("tar", "-cf", gnu.toString(), "-C", src.toString(), "."));
        Path pax = work.resolve("pax.tar");
        ExternalCommand.run(java.time.Duration.ofMinutes(2), List.of("bsdtar", "--format", "pax", "-cf", pax.toString(), "-C", src.getParent().toString(),
                "tree"));
        CpRun gnuIn = cli("64m", gnu, null, "-", NAME + ":/fromgnu");
        assertThat(gnuIn.exitCode()).as(gnuIn.err()).isZero();
        CpRun paxIn = cli("64m", pax, null, "-", NAME + ":/frombsd");
        assertThat(paxIn.exitCode()).as(paxIn.err()).isZero();
        for (String guestDir : List.of("/fromgnu", "/frombsd/tree")) {
            Path back = fresh("tarback");
            cp(NAME + ":" + guestDir + "/.", back.toString());
            assertThat(seconds(snapshot(back))).as(guestDir).isEqualTo(expected);
        }
        CpRun notDir = cli("64m", gnu, null, "-", NAME + ":/fromgnu/tree-none");
        assertThat(notDir.exitCode()).isEqualTo(2);
        assertThat(notDir.errLines()).containsExactly("agentkernel: destination " + NAME + ":/fromgnu/tree-none must be"
                + " a directory");
    }

    @Test
    void aHostileGuestsSymlinksNeverLeadTheCopyOutOfTheDestination() throws Exception {
        String passwd = VmFixtures.sha256(Path.of("/etc/passwd"));
        // the guest's tree holds symlinks to the host's /etc and /, and its source's parent is a symlink too
        guest("rm -rf /h && mkdir -p /h/tree && ln -s /etc /h/tree/sub && ln -s /etc/passwd /h/tree/pw"
                + " && ln -s / /h/tree/root && ln -s /h /h/up");
        Path out = fresh("hostile");
        cp(NAME + ":/h/up/tree", out.toString());
        assertThat(Files.readSymbolicLink(out.resolve("tree/sub")).toString()).isEqualTo("/etc");
        assertThat(Files.readSymbolicLink(out.resolve("tree/pw")).toString()).isEqualTo("/etc/passwd");
        // the guest then makes sub a directory holding passwd: copied again onto the same place, the host's
        // symlink is refused, never followed, and what the copy added before the refusal is removed
        guest("rm /h/tree/sub && mkdir /h/tree/sub && echo payload > /h/tree/sub/passwd && echo new > /h/tree/aaa");
        assertThatThrownBy(() -> cp(NAME + ":/h/tree/.", out.resolve("tree").toString()))
                .hasMessageContaining("cannot overwrite non-directory");
        assertThat(VmFixtures.sha256(Path.of("/etc/passwd"))).isEqualTo(passwd);
        assertThat(Files.exists(out.resolve("tree/aaa"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readSymbolicLink(out.resolve("tree/sub")).toString()).isEqualTo("/etc");
        try (Stream<Path> s = Files.list(out.resolve("tree"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("pw", "root", "sub");
        }
        // and a file onto the host's symlink to /etc/passwd replaces the symlink, not /etc/passwd
        guest("rm /h/tree/pw && echo payload > /h/tree/pw");
        cp(NAME + ":/h/tree/pw", out.resolve("tree").toString());
        assertThat(Files.isSymbolicLink(out.resolve("tree/pw"))).isFalse();
        assertThat(Files.readString(out.resolve("tree/pw"))).isEqualTo("payload\n");
        assertThat(VmFixtures.sha256(Path.of("/etc/passwd"))).isEqualTo(passwd);
    }

    @Test
    void aCopyIntoTheGuestThatFailsLeavesNothingHalfWritten() throws Exception {
        guest("mkdir -p /small && mount -t tmpfs -o size=1m tmpfs /small && echo old > /small/keep");
        try {
            Path dir = fresh("nospace");
            Path big = dir.resolve("big.bin");
            byte[] random = new byte[3 << 20];
            new Random(9).nextBytes(random);
            Files.write(big, random);
            Path tree = Files.createDirectory(dir.resolve("tree"));
            Files.writeString(tree.resolve("a-small"), "small");
            Files.write(tree.resolve("b-big"), random);
            assertThatThrownBy(() -> cp(big.toString(), NAME + ":/small/big.bin")).hasMessageContaining("No space");
            assertThatThrownBy(() -> cp(tree.toString(), NAME + ":/small/")).hasMessageContaining("No space");
            assertThatThrownBy(() -> cp(big.toString(), NAME + ":/small/keep")).hasMessageContaining("No space");
            assertThat(guest("ls -A /small; cat /small/keep")).isEqualTo("keep\nold\n");
        } finally {
            guest("umount /small");
        }
    }

    @Test
    void aCopyToTheHostStoppedByCtrlCOrSigkillLeavesNothingBehind() throws Exception {
        guest("mkdir -p /slow && yes copied-slowly | head -c 150000000 > /slow/big");
        Path out = fresh("interrupted");
        for (String signal : List.of("INT", "KILL")) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.agentkernel.cli.Main", "cp", NAME + ":/slow",
                    out.toString());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("AGENTKERNEL_HOME", homeDir.toString());
            Process p = pb.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (names(out).isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(20);
                }
                assertThat(names(out)).as("the copy is under way under a temporary name").singleElement().asString()
                        .startsWith(".agentkernel-cp-");
                ExternalCommand.run(java.time.Duration.ofSeconds(10), List.of("kill", "-" + signal, Long.toString(p.pid())));
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            if (signal.equals("INT")) {
                assertThat(names(out)).as("after Ctrl-C").isEmpty();
            }
        }
        assertThat(names(out)).as("SIGKILL leaves its temporary tree").hasSize(1);
        cp(NAME + ":/etc/greeting", out.toString()); // the next copy here sweeps it
        assertThat(names(out)).containsExactly("greeting");
        guest("rm -rf /slow");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void errorsAreOneLineAndLeaveNothingBehind() throws Exception {
        Path out = fresh("errors");
        CpRun unknown = cli("64m", null, null, "nosuch:/etc/hostname", out.resolve("x").toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.errLines()).containsExactly("agentkernel: no sandbox named 'nosuch' (see agentkernel list)");
        CpRun missing = cli("64m", null, null, NAME + ":/no/such/path", out.resolve("x").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.errLines()).containsExactly("agentkernel: no such file or directory in sandbox '" + NAME
                + "': '/no/such/path'");
        CpRun missingHost = cli("64m", null, null, out.resolve("nothing").toString(), NAME + ":/tmp/");
        assertThat(missingHost.exitCode()).isEqualTo(2);
        assertThat(missingHost.errLines()).hasSize(1).allMatch(l -> l.startsWith("agentkernel: no such file or directory"));
        CpRun neither = cli("64m", null, null, "a", "b");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.errLines()).containsExactly("agentkernel: one of SRC and DST must be a sandbox path, NAME:PATH");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }
        CpRun ok = cli("64m", null, null, NAME + ":/etc/greeting", out.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.errLines()).singleElement().asString().startsWith("Successfully copied 6 B (1 entries) to ");
        assertThat(Files.readString(out.resolve("greeting"))).isEqualTo("hello\n");
    }
}
