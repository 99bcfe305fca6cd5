package dev.agentkernel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentkernel.net.HostPattern;
import dev.agentkernel.net.NetworkOptions;
import dev.agentkernel.net.PortMapping;
import dev.agentkernel.sandbox.SandboxInfo;
import dev.agentkernel.sandbox.SandboxRecord;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Sandboxes as {@code list} and {@code inspect} print them: a table, key-value text, or JSON. */
final class SandboxView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SandboxView() {
    }

    static void table(List<SandboxInfo> sandboxes, PrintWriter out) {
        Table table = new Table("NAME", "STATUS", "IMAGE", "CREATED", "MEMORY", "CPUS", "PORTS");
        for (SandboxInfo s : sandboxes) {
            SandboxRecord r = s.record();
            table.row(r.name(), s.status().text(), r.image(), r.createdAt(), r.memoryMb() + " MB",
                    Integer.toString(r.cpus()), ports(r.network()));
        }
        table.print(out);
    }

    static Map<String, Object> json(SandboxInfo s) {
        SandboxRecord r = s.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("uuid", r.uuid());
        m.put("status", s.status().text());
        m.put("image", r.image());
        m.put("image_digest", r.imageDigest());
        m.put("created_at", r.createdAt());
        m.put("memory_mb", r.memoryMb());
        m.put("vcpus", r.cpus());
        m.put("backend", r.backend() == null ? "qemu" : r.backend());
        m.put("labels", r.labels());
        m.put("env", r.env());
        m.put("workdir", r.workdir());
        m.put("expires_at", r.expiresAt());
        m.put("pid", s.monitorPid() == 0 ? null : s.monitorPid());
        m.put("started_at", s.startedAt());
        m.put("started_from", s.startedFrom());
        m.put("disk_bytes", s.diskBytes());
        m.put("rootfs", r.rootfs());
        NetworkOptions net = r.network();
        m.put("network", net.mode().name().toLowerCase(Locale.ROOT));
        m.put("allow_hosts", net.allowHosts().stream().map(HostPattern::text).toList());
        m.put("no_host_access", net.noHostAccess());
        m.put("dns", net.dns());
        List<Map<String, Object>> ports = new java.util.ArrayList<>();
        for (PortMapping p : net.publish()) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("host_ip", p.hostIp());
            port.put("host_port", p.hostPort());
            port.put("guest_port", p.guestPort());
            port.put("protocol", p.protocol().cliName());
            ports.add(port);
        }
        m.put("ports", ports);
        if (s.exitReason() != null) {
            m.put("exit_reason", s.exitReason());
            m.put("console", s.console());
        }
        return m;
    }

    static void printJson(Object value, PrintWriter out) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void text(SandboxInfo s, PrintWriter out) {
        SandboxRecord r = s.record();
        field(out, "Name", r.name());
        field(out, "Status", s.status().text() + (s.monitorPid() != 0 ? " (monitor pid " + s.monitorPid() + ")" : ""));
        field(out, "Image", r.image() + (r.imageDigest() == null ? "" : " (" + r.imageDigest() + ")"));
        field(out, "Created", r.createdAt());
        if (s.startedAt() != null && s.monitorPid() != 0) {
            field(out, "Started", s.startedAt() + (s.startedFrom() == null ? "" : " (" + s.startedFrom() + ")"));
        }
        field(out, "Expires", r.expiresAt() == null ? "never" : r.expiresAt());
        field(out, "Memory", r.memoryMb() + " MB");
        field(out, "CPUs", Integer.toString(r.cpus()));
        field(out, "Disk", HumanSize.format(s.diskBytes()) + " (" + s.diskBytes() + " bytes of its own, over "
                + r.rootfs() + ")");
        if (r.workdir() != null) {
            field(out, "Workdir", r.workdir());
        }
        field(out, "Network", network(r.network()));
        out.println("Ports:" + (r.network().publish().isEmpty() ? " (none)" : ""));
        r.network().publish().forEach(p -> out.println("  " + p));
        out.println("Env:" + (r.env().isEmpty() ? " (none)" : ""));
        r.env().forEach((k, v) -> out.println("  " + k + "=" + v));
        out.println("Labels:" + (r.labels().isEmpty() ? " (none)" : ""));
        r.labels().forEach((k, v) -> out.println("  " + k + "=" + v));
        if (s.exitReason() != null) {
            field(out, "Exited", s.exitReason());
            out.println("Last console lines:");
            s.console().forEach(l -> out.println("  " + l));
        }
    }

    /** {@code 127.0.0.1:8080->8000/tcp, ...}, as {@code docker ps} shows them. */
    private static String ports(NetworkOptions net) {
        return net.publish().stream().map(p -> p.hostIp() + ":" + p.hostPort() + "->" + p.guestPort() + "/"
                + p.protocol().cliName()).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String network(NetworkOptions net) {
        return switch (net.mode()) {
            case NONE -> "none";
            case DEFAULT -> "default (outbound NAT" + (net.noHostAccess() ? ", no host access" : "") + ")";
            case ALLOWLIST -> "allowlist: " + net.allowHosts().stream().map(HostPattern::text)
                    .collect(java.util.stream.Collectors.joining(", "));
        } + (net.dns().isEmpty() ? "" : "; dns " + String.join(", ", net.dns()));
    }

    private static void field(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-10s%s%n", label + ":", value);
    }
}
