package dev.agentkernel.agent;

/** The pause between connection attempts while a VM starts. */
final class Sleep {
    private Sleep() {
    }

    static void briefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.agentkernel.errors.VmException("interrupted while connecting to the guest agent", e);
        }
    }
}
