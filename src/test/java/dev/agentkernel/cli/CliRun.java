package dev.agentkernel.cli;

import dev.agentkernel.store.AgentkernelHome;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Runs the command line in-process on a given data directory, capturing stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
    static CliRun run(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(AgentkernelHome.at(home));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    List<String> errLines() {
        return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }

    String lastErrLine() {
        List<String> lines = errLines();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
