package dev.agentkernel.sandbox;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.agent.AgentClient;
import dev.agentkernel.agent.AgentRefusedException;
import dev.agentkernel.errors.UserInputException;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Single files in running sandboxes (read, write, delete), each call on an agent port of its own. Paths are
 * guest paths, resolved inside the guest; they must be absolute and free of {@code ..}. Files go through the
 * agent's single-frame requests, so one file is at most {@link #MAX_FILE_BYTES}; large trees go through
 * {@code cp}.
 */
public final class SandboxFiles {
    /** What one write or read may carry: the agent's 16 MiB frame holds this much once base64-encoded. */
    public static final int MAX_FILE_BYTES = 12 * 1024 * 1024;
    private static final Duration PORT_WAIT = Duration.ofSeconds(60);

    private final SandboxService service;

    public SandboxFiles(SandboxService service) {
        this.service = service;
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

    public byte[] read(SandboxName name, String path) {
        String guest = guestPath(path);
        return withAgent(name, agent -> agent.readFile(guest));
    }

    /** Writes {@code content} to {@code path}, making its parent directories first. */
    public void write(SandboxName name, String path, byte[] content) {
        writeAll(name, Map.of(path, content));
    }

    /** Writes several files on one agent connection, in the map's order; returns how many were written. */
    public int writeAll(SandboxName name, Map<String, byte[]> files) {
        Map<String, byte[]> checked = new LinkedHashMap<>();
        files.forEach((path, content) -> {
            String guest = guestPath(path);
            if (content.length > MAX_FILE_BYTES) {
                throw new UserInputException("file " + Quote.escape(guest, Quote.MAX_CHARS) + " is " + content.length
                        + " bytes; one file written this way is at most " + MAX_FILE_BYTES + " (use agentkernel cp)");
            }
            checked.put(guest, content);
        });
        return withAgent(name, agent -> {
            for (Map.Entry<String, byte[]> e : checked.entrySet()) {
                String parent = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
                if (!parent.isEmpty()) {
                    agent.mkdir(parent, true);
                }
                agent.writeFile(e.getKey(), e.getValue());
            }
            return checked.size();
        });
    }

    public void delete(SandboxName name, String path) {
        String guest = guestPath(path);
        withAgent(name, agent -> {
            agent.removeFile(guest);
            return null;
        });
    }

    private <T> T withAgent(SandboxName name, Function<AgentClient, T> action) {
        SandboxExec exec = new SandboxExec(service);
        SandboxRecord record = exec.settled(name);
        SandboxDirectory dir = service.store().directory(name);
        exec.requireRunning(record, dir);
        try (AgentClient client = SandboxExec.client(dir, PORT_WAIT)) {
            return action.apply(client);
        } catch (AgentRefusedException e) {
            throw new GuestFileException("sandbox '" + name + "': " + e.getMessage().replaceFirst("^the guest agent failed: ", ""), e);
        } catch (VmException e) {
            exec.awaitUnlocked(name, Duration.ofSeconds(10));
            if (!service.store().exists(name)) {
                throw new SandboxRemovedException("sandbox '" + name + "' was removed during the file operation", e);
            }
            throw e;
        }
    }
}
