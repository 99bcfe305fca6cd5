package dev.agentkernel.agent;

import dev.agentkernel.errors.Quote;

/** The kinds of entry a copy carries (docs/PROTOCOL.md, copies). */
public enum EntryKind {
    FILE("file"), DIR("dir"), SYMLINK("symlink"), HARDLINK("hardlink"), FIFO("fifo"), CHAR("char"), BLOCK("block");

    private final String wire;

    EntryKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    static EntryKind of(String wire, WireObject from) {
        for (EntryKind kind : values()) {
            if (kind.wire.equals(wire)) {
                return kind;
            }
        }
        throw AgentProtocolException.field(from.what(), "kind", "is not file, dir, symlink, hardlink, fifo, char or"
                + " block", com.fasterxml.jackson.databind.node.TextNode.valueOf(wire));
    }

    /** The kind of a copy's root as {@code copy_out} answers it (a hard link cannot be one; a socket is refused). */
    static EntryKind ofRoot(String wire, String what) {
        if ("socket".equals(wire)) {
            throw new GuestPathException("the path is a socket, which cannot be copied", "socket");
        }
        for (EntryKind kind : values()) {
            if (kind != HARDLINK && kind.wire.equals(wire)) {
                return kind;
            }
        }
        throw new AgentProtocolException("in " + what + ", 'kind' is " + Quote.name(wire)
                + ", not file, dir, symlink, fifo, char or block");
    }
}
