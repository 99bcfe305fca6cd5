package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.store.AgentkernelHome;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the command line in-process on a given data directory, capturing stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CliRun run(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(AgentkernelHome.at(home), args); // as main builds it
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** {@code inspect NAME --json}, which must succeed. */
    static JsonNode inspect(Path home, String name) throws IOException {
        CliRun r = run(home, "inspect", name, "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    /** {@code exec NAME -- sh -c SCRIPT}, which must exit 0; its stdout. */
    static String shell(Path home, String name, String script) {
        CliRun r = run(home, "exec", name, "--", "sh", "-c", script);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out();
    }

    List<String> errLines() {
        return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }

    String lastErrLine() {
        List<String> lines = errLines();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
