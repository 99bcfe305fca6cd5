package dev.agentkernel.sandbox;

import java.util.Locale;

/** A sandbox's state, derived each time from its monitor process and its record. */
public enum SandboxStatus {
    /** Its monitor (identified by pid and start time) is alive. */
    RUNNING,
    /** Its monitor is alive with the guest's CPUs stopped ({@code pause}): memory kept, no CPU used. */
    PAUSED,
    /** Not running because it was stopped, or created with {@code --no-start}. */
    STOPPED,
    /** Its monitor died on its own (the guest powered off, crashed, or the process was killed from outside). */
    EXITED;

    /** Whether its monitor is alive (running or paused). */
    public boolean alive() {
        return this == RUNNING || this == PAUSED;
    }

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
