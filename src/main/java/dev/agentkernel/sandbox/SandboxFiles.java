package dev.agentkernel.sandbox;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.AgentRefusedException;
import dev.agentkernel.agent.CopyEntry;
import dev.agentkernel.agent.CopyInStream;
import dev.agentkernel.agent.CopyPaths;
import dev.agentkernel.agent.EntryKind;
import dev.agentkernel.agent.GuestPathException;
import dev.agentkernel.agent.GuestStat;
import dev.agentkernel.errors.UserInputException;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Single files in running sandboxes (read, write, delete), each call on an agent port of its own. Paths are
 * guest paths, resolved inside the guest; they must be absolute and free of {@code ..}. Contents go through the
 * agent's chunked copies ({@code copy_in}, {@code copy_out}: frames of 256 KiB), so a file of up to
 * {@link #MAX_FILE_BYTES} moves without a frame of its size; a read of a larger guest file is refused before
 * any of it is sent. Large files and trees go through {@code cp}.
 */
public final class SandboxFiles {
    /** The most one read or write carries: the HTTP API's body limit. */
    public static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    private static final int DEFAULT_MODE = 0644;

    private final SandboxAgents agents;

    public SandboxFiles(SandboxService service) {
        this.agents = new SandboxAgents(service);
    }

    /** {@code path} as the guest path it names: absolute, no NUL, no {@code ..} component, no trailing slash. */
    public static String guestPath(String path) {
        if (path == null || path.isEmpty() || path.chars().allMatch(c -> c == '/')) {
            throw new UserInputException("a file path is required");
        }
        if (path.indexOf('\0') >= 0) {
            throw new UserInputException("bad file path " + Quote.name(path) + ": it contains a NUL byte");
        }
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UserInputException("bad file path " + Quote.name(path) + ": '..' is not allowed");
            }
            out.append('/').append(part);
        }
        return out.toString();
    }

    /** The file's bytes; a missing path or one that is not a regular file is a {@link GuestFileException}. */
    public byte[] read(SandboxName name, String path) {
        String guest = guestPath(path);
        return withAgent(name, agent -> {
            if (!chunked(agent)) {
                return new AgentClient(agent).readFile(guest); // an agent of before stat: one frame, at most 12 MiB
            }
            GuestStat st = agent.stat(guest);
            if (!st.exists() || st.real() == null) {
                throw new GuestFileException("sandbox '" + name + "': " + Quote.name(guest) + ": No such file or directory",
                        null);
            }
            if (!st.kind().equals("file")) {
                throw new GuestFileException("sandbox '" + name + "': " + Quote.name(guest) + " is not a regular file"
                        + " (it is a " + st.kind() + ")", null);
            }
            requireSize(guest, st.size());
            BoundedFileSink sink = new BoundedFileSink(guest, MAX_FILE_BYTES);
            agent.copyOut(st.real(), kind -> sink);
            return sink.bytes();
        });
    }

    /** Writes {@code content} to {@code path}, making its parent directories first. */
    public void write(SandboxName name, String path, byte[] content) {
        writeAll(name, Map.of(path, content));
    }

    /**
     * Writes several files on one agent connection, in the map's order; returns how many were written. A file
     * that exists keeps its mode and owner; a new one is 0644, root's.
     */
    public int writeAll(SandboxName name, Map<String, byte[]> files) {
        Map<String, byte[]> checked = new LinkedHashMap<>();
        files.forEach((path, content) -> {
            String guest = guestPath(path);
            requireSize(guest, content.length);
            checked.put(guest, content);
        });
        return withAgent(name, agent -> {
            AgentClient v1 = new AgentClient(agent); // the same connection: not closed here
            for (Map.Entry<String, byte[]> e : checked.entrySet()) {
                String parent = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
                if (!parent.isEmpty()) {
                    v1.mkdir(parent, true);
                }
                writeOne(agent, e.getKey(), e.getValue());
            }
            return checked.size();
        });
    }

    private static void writeOne(AgentConnection agent, String path, byte[] content) {
        if (!chunked(agent)) {
            new AgentClient(agent).writeFile(path, content); // an agent of before stat: one frame
            return;
        }
        GuestStat st = agent.stat(path);
        if (st.isDirectory()) {
            throw new GuestFileException(Quote.name(path) + " is a directory", null);
        }
        boolean keep = st.exists() && st.kind().equals("file");
        String target = keep && st.real() != null ? st.real() : path;
        Instant now = Instant.now();
        CopyInStream in = agent.copyIn(target, true);
        in.entry(new CopyEntry(CopyPaths.ROOT, EntryKind.FILE, keep ? st.mode() : DEFAULT_MODE, keep ? st.uid() : 0,
                keep ? st.gid() : 0, now.getEpochSecond(), now.getNano(), content.length, null, 0, 0));
        if (content.length > 0) {
            in.data(0, content, 0, content.length);
        }
        in.finish();
    }

    /** Whether the agent has stat and copies (sandboxes made before them keep the single-frame requests). */
    private static boolean chunked(AgentConnection agent) {
        return agent.hello().has("stat") && agent.hello().has("copy");
    }

    private static void requireSize(String guest, long size) {
        if (size > MAX_FILE_BYTES) {
            throw new FileTooLargeException("file " + Quote.escape(guest, Quote.MAX_CHARS) + " is " + size
                    + " bytes; one file read or written this way is at most " + MAX_FILE_BYTES + " (use agentkernel cp)");
        }
    }

    public void delete(SandboxName name, String path) {
        String guest = guestPath(path);
        withAgent(name, agent -> {
            new AgentClient(agent).removeFile(guest);
            return null;
        });
    }

    private <T> T withAgent(SandboxName name, Function<AgentConnection, T> action) {
        try {
            return agents.with(name, "the file operation", action);
        } catch (AgentRefusedException | GuestPathException e) {
            throw new GuestFileException("sandbox '" + name + "': " + e.getMessage()
                    .replaceFirst("^the guest agent failed: ", ""), e);
        }
    }
}
