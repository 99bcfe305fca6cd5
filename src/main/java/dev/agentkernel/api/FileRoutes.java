package dev.agentkernel.api;

import dev.agentkernel.sandbox.GuestFileException;
import dev.agentkernel.sandbox.SandboxFiles;
import dev.agentkernel.sandbox.SandboxService;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /sandboxes/{name}/files/{path}}: one file read, written or deleted; {@code POST /sandboxes/{name}/files}
 * writes several. The path is whatever follows {@code files/} (the SDK puts an absolute path there unencoded), taken
 * as absolute in the guest.
 */
final class FileRoutes {
    private final SandboxFiles files;

    FileRoutes(SandboxService service) {
        this.files = new SandboxFiles(service);
    }

    java.util.List<Route> routes() {
        return java.util.List.of(
                Route.of("GET", "/sandboxes/{name}/files/**", this::read),
                Route.of("PUT", "/sandboxes/{name}/files/**", this::write),
                Route.of("DELETE", "/sandboxes/{name}/files/**", this::delete),
                Route.of("POST", "/sandboxes/{name}/files", this::writeMany));
    }

    private static String path(Call c) {
        return SandboxFiles.guestPath("/" + String.join("/", c.tail()));
    }

    private Reply read(Call c) {
        String path = path(c);
        byte[] content;
        try {
            content = files.read(SandboxRoutes.name(c), path);
        } catch (GuestFileException e) {
            throw new ApiException(404, e.getMessage());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        String text = utf8(content);
        data.put("content", text != null ? text : Base64.getEncoder().encodeToString(content));
        data.put("encoding", text != null ? "utf8" : "base64");
        data.put("size", content.length);
        return Reply.ok(data);
    }

    private Reply write(Call c) {
        String path = path(c);
        JsonBody b = c.jsonBody();
        String content = b.string("content");
        if (content == null) {
            throw ApiException.badRequest("content is required");
        }
        byte[] bytes = decode(content, b.string("encoding"));
        files.write(SandboxRoutes.name(c), path, bytes);
        return Reply.ok("Wrote " + bytes.length + " bytes to " + path);
    }

    private Reply delete(Call c) {
        String path = path(c);
        try {
            files.delete(SandboxRoutes.name(c), path);
        } catch (GuestFileException e) {
            throw new ApiException(404, e.getMessage());
        }
        return Reply.ok("Deleted " + path);
    }

    private Reply writeMany(Call c) {
        Map<String, String> given = c.jsonBody().stringMap("files");
        if (given == null || given.isEmpty()) {
            throw ApiException.badRequest("files is required (an object mapping paths to contents)");
        }
        Map<String, byte[]> contents = new LinkedHashMap<>();
        given.forEach((path, content) -> contents.put(path, content.getBytes(StandardCharsets.UTF_8)));
        return Reply.ok(Map.of("written", files.writeAll(SandboxRoutes.name(c), contents)));
    }

    private static byte[] decode(String content, String encoding) {
        if (encoding == null || encoding.equals("utf8") || encoding.equals("utf-8")) {
            return content.getBytes(StandardCharsets.UTF_8);
        }
        if (encoding.equals("base64")) {
            try {
                return Base64.getDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Invalid base64: " + e.getMessage());
            }
        }
        throw ApiException.badRequest("encoding must be utf8 or base64, not '" + encoding + "'");
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
