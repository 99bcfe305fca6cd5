package dev.agentkernel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
        Table table = new Table("NAME", "STATUS", "IMAGE", "CREATED", "MEMORY", "CPUS");
        for (SandboxInfo s : sandboxes) {
            SandboxRecord r = s.record();
            table.row(r.name(), s.status().text(), r.image(), r.createdAt(), r.memoryMb() + " MB",
                    Integer.toString(r.cpus()));
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
        m.put("disk_bytes", s.diskBytes());
        m.put("rootfs", r.rootfs());
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
            field(out, "Started", s.startedAt());
        }
        field(out, "Expires", r.expiresAt() == null ? "never" : r.expiresAt());
        field(out, "Memory", r.memoryMb() + " MB");
        field(out, "CPUs", Integer.toString(r.cpus()));
        field(out, "Disk", HumanSize.format(s.diskBytes()) + " (" + s.diskBytes() + " bytes of its own, over "
                + r.rootfs() + ")");
        if (r.workdir() != null) {
            field(out, "Workdir", r.workdir());
        }
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

    private static void field(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-10s%s%n", label + ":", value);
    }
}
