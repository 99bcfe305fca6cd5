package dev.agentkernel.sandbox;

/** The guest's hostname for a sandbox: its name, with {@code _} (allowed in names, not in host names) as {@code -}. */
final class SandboxHostname {
    private SandboxHostname() {
    }

    static String of(String sandboxName) {
        return sandboxName.replace('_', '-');
    }
}
