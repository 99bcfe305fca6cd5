package dev.agentkernel.cli;

import dev.agentkernel.sandbox.TerminalSize;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.Closeable;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The terminal this process runs in, switched to raw mode while a guest command owns it: every key (Ctrl-C,
 * Ctrl-Z, Ctrl-D included) goes to the guest's pseudo-terminal, whose line discipline gives it its meaning; and
 * output goes out unchanged, since the guest's terminal already did the output processing. {@link #close}
 * restores the terminal as it was, also when the JVM is ended by a signal (a shutdown hook).
 */
final class HostTerminal implements Closeable {
    private final Terminal terminal;
    private final Attributes saved;
    private final Thread restoreOnExit;
    private boolean restored;

    private HostTerminal(Terminal terminal) {
        this.terminal = terminal;
        this.saved = terminal.getAttributes();
        this.restoreOnExit = new Thread(this::restore, "agentkernel-restore-terminal");
    }

    /** The process's terminal in raw mode, or empty when stdin or stdout is not a terminal. */
    static Optional<HostTerminal> rawIfInteractive() {
        if (System.console() == null) { // on Java 17: stdin or stdout is not a terminal
            return Optional.empty();
        }
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).jni(true).exec(true).dumb(false)
                    .nativeSignals(true).build();
        } catch (IOException | IllegalStateException e) {
            return Optional.empty();
        }
        HostTerminal host = new HostTerminal(terminal);
        Runtime.getRuntime().addShutdownHook(host.restoreOnExit);
        terminal.setAttributes(raw(host.saved));
        return Optional.of(host);
    }

    /** cfmakeraw(3): no echo, no line editing, no signals from keys, no input or output translation. */
    private static Attributes raw(Attributes original) {
        Attributes raw = new Attributes(original);
        raw.setInputFlags(EnumSet.of(InputFlag.IGNBRK, InputFlag.BRKINT, InputFlag.PARMRK, InputFlag.ISTRIP,
                InputFlag.INLCR, InputFlag.IGNCR, InputFlag.ICRNL, InputFlag.IXON), false);
        raw.setOutputFlag(OutputFlag.OPOST, false);
        raw.setLocalFlags(EnumSet.of(LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG,
                LocalFlag.IEXTEN), false);
        raw.setControlChar(ControlChar.VMIN, 1);
        raw.setControlChar(ControlChar.VTIME, 0);
        return raw;
    }

    TerminalSize size() {
        Size size = terminal.getSize();
        if (size.getRows() < 1 || size.getColumns() < 1) {
            return TerminalSize.DEFAULT; // a terminal that does not know its size
        }
        return new TerminalSize(Math.min(size.getRows(), 65535), Math.min(size.getColumns(), 65535));
    }

    /** Calls {@code listener} with the new size whenever the window changes size (SIGWINCH). */
    void onResize(Consumer<TerminalSize> listener) {
        terminal.handle(Terminal.Signal.WINCH, signal -> listener.accept(size()));
    }

    private synchronized void restore() {
        if (!restored) {
            restored = true;
            terminal.setAttributes(saved);
            terminal.flush();
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing to remove
        }
        try {
            terminal.close();
        } catch (IOException e) {
            // the attributes are restored; closing only releases JLine's own resources
        }
    }
}
