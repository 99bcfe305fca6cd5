package dev.agentkernel.cli;

import dev.agentkernel.agent.ExecSession;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.sandbox.AttachedCommand;
import dev.agentkernel.sandbox.ExecRequest;
import dev.agentkernel.sandbox.SandboxName;
import dev.agentkernel.sandbox.SandboxProcesses;
import dev.agentkernel.sandbox.TerminalSize;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * A command in a sandbox with this process attached, as {@code exec} and {@code attach} run it: output streamed
 * to stdout and stderr as the guest produces it, stdin forwarded with {@code -i}, and with {@code -t} a guest
 * pseudo-terminal that takes over the host terminal (raw mode, its size now and on every resize) until the
 * command ends. Returns the exit code to exit with.
 */
final class AttachedExec {
    private AttachedExec() {
    }

    static int run(SandboxProcesses processes, SandboxName name, ExecRequest request, CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        OutputStream stdout = ProcessStreams.bytesOf(spec.commandLine().getOut());
        OutputStream stderr = ProcessStreams.bytesOf(err);
        Optional<HostTerminal> terminal = request.tty() && request.stdin()
                ? HostTerminal.rawIfInteractive() : Optional.empty();
        ExitStatus status;
        try {
            TerminalSize size = request.tty() ? terminal.map(HostTerminal::size).orElse(TerminalSize.DEFAULT) : null;
            try (AttachedCommand command = processes.attach(name, request, size, stdout, stderr)) {
                ExecSession session = command.session();
                terminal.ifPresent(t -> t.onResize(s -> session.resize(s.rows(), s.cols())));
                if (request.stdin()) {
                    forwardStdin(System.in, session);
                }
                status = command.waitFor();
            }
            flush(stdout);
            flush(stderr);
        } finally {
            terminal.ifPresent(HostTerminal::close); // before any message of ours, which needs a cooked terminal
        }
        if (status.timedOut()) {
            err.println("agentkernel: the command timed out after " + request.timeoutMs() / 1000 + " s and was killed");
            err.flush();
            return RunCommand.TIMED_OUT;
        }
        return status.exitCode();
    }

    /**
     * Sends stdin to the command on a thread of its own until EOF (then closes the command's stdin) or the
     * command's end; a daemon, since a read of a terminal cannot be interrupted and the process exits anyway.
     */
    private static void forwardStdin(InputStream in, ExecSession session) {
        Thread pump = new Thread(() -> {
            try {
                session.pumpStdin(in);
            } catch (IOException | RuntimeException e) {
                session.closeStdin(); // stdin unreadable: the command sees EOF, as it would from a closed pipe
            }
        }, "agentkernel-stdin");
        pump.setDaemon(true);
        pump.start();
    }

    private static void flush(OutputStream stream) {
        try {
            stream.flush();
        } catch (IOException e) {
            // stdout closed under us (a closed pipe): nothing more can be written to it
        }
    }
}
