package dev.agentkernel.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.errors.VmException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Translates requests to their JSON wire form and JSON answers to {@link AgentResponse}. */
final class AgentJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AgentJson() {
    }

    static byte[] encode(String id, AgentRequest request) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", id);
        node.put("type", request.type());
        if (request instanceof AgentRequest.Run run) {
            ArrayNode command = node.putArray("command");
            run.command().forEach(command::add);
            if (run.cwd() != null) {
                node.put("cwd", run.cwd());
            }
            ObjectNode env = node.putObject("env");
            run.env().forEach(env::put);
            if (run.timeoutMs() > 0) {
                node.put("timeout_ms", run.timeoutMs());
            }
        } else if (request instanceof AgentRequest.WriteFile write) {
            node.put("path", write.path());
            node.put("content_base64", Base64.getEncoder().encodeToString(write.content()));
        } else if (request instanceof AgentRequest.ReadFile read) {
            node.put("path", read.path());
        } else if (request instanceof AgentRequest.RemoveFile remove) {
            node.put("path", remove.path());
        } else if (request instanceof AgentRequest.Mkdir mkdir) {
            node.put("path", mkdir.path());
            node.put("recursive", mkdir.recursive());
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a request", e);
        }
    }

    static AgentResponse decode(byte[] payload) {
        try {
            return MAPPER.readValue(payload, AgentResponse.class);
        } catch (IOException e) {
            String start = new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
            throw new VmException("the guest agent sent a malformed answer: " + start, e);
        }
    }
}
