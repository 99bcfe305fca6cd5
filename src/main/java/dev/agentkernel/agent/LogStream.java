package dev.agentkernel.agent;

/** The two logs of a detached command. */
public enum LogStream {
    STDOUT("stdout"), STDERR("stderr");

    private final String wire;

    LogStream(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }
}
