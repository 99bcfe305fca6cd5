package dev.agentkernel.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;

/** Translates version-1 requests to their JSON wire form and their answers, checked, to {@link AgentResponse}. */
final class AgentJson {
    private AgentJson() {
    }

    /** The request's fields (the connection adds {@code id} and {@code type}). */
    static ObjectNode encode(AgentRequest request) {
        ObjectNode node = Wire.object();
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
        } else if (request instanceof AgentRequest.NetConfig net) {
            encodeNetConfig(node, net);
        } else if (request instanceof AgentRequest.Mkdir mkdir) {
            node.put("path", mkdir.path());
            node.put("recursive", mkdir.recursive());
        } else if (request instanceof AgentRequest.Configure configure) {
            if (configure.entropy() != null) {
                node.put("entropy_base64", Base64.getEncoder().encodeToString(configure.entropy()));
            }
            if (configure.time() != null) {
                node.put("time_sec", configure.time().getEpochSecond());
                node.put("time_nsec", configure.time().getNano());
            }
            if (configure.hostname() != null) {
                node.put("hostname", configure.hostname());
            }
        }
        return node;
    }

    private static void encodeNetConfig(ObjectNode node, AgentRequest.NetConfig net) {
        if (net.address() != null) {
            node.put("address", net.address());
            node.put("prefix", net.prefix());
            if (net.gateway() != null) {
                node.put("gateway", net.gateway());
            }
            if (net.mtu() > 0) {
                node.put("mtu", net.mtu());
            }
        }
        ArrayNode dns = node.putArray("dns");
        net.dns().forEach(dns::add);
        if (net.hostname() != null) {
            node.put("hostname", net.hostname());
        }
        ArrayNode hosts = node.putArray("hosts");
        for (AgentRequest.HostsEntry entry : net.hosts()) {
            ObjectNode e = hosts.addObject();
            e.put("address", entry.address());
            ArrayNode names = e.putArray("names");
            entry.names().forEach(names::add);
        }
    }

    /** An answer's version-1 fields, each checked for its type. */
    static AgentResponse response(Reply reply) {
        return response(reply.id(), reply.body());
    }

    private static AgentResponse response(String id, WireObject body) {
        return new AgentResponse(id, body.has("exit_code") ? (int) body.integer("exit_code", 0, 255) : null,
                body.optText("stdout"), body.optText("stderr"), body.optString("stdout_base64"),
                body.optString("stderr_base64"), body.optString("content_base64"), body.optText("error"),
                body.has("timed_out") ? body.optBoolean("timed_out", false) : null,
                body.has("stdout_truncated") ? body.optBoolean("stdout_truncated", false) : null,
                body.has("stderr_truncated") ? body.optBoolean("stderr_truncated", false) : null);
    }

    /**
     * One raw frame as an answer, for tests that talk to the agent without a connection (broken frames get
     * answers with a null id).
     */
    static AgentResponse decode(byte[] payload) {
        Frame frame = Wire.decode(payload);
        if (!(frame instanceof Frame.Json json)) {
            throw new AgentProtocolException("it sent a data frame where an answer was expected");
        }
        WireObject body = new WireObject(json.node(), "its answer");
        String id = json.node().path("id").isNull() ? null : body.optString("id");
        return response(id, body);
    }
}
