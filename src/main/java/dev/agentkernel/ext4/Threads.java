package dev.agentkernel.ext4;

/** Waiting for the writer's helper threads. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits until {@code thread} has ended, even when interrupted (the interrupt is kept for the caller): a
     * helper must never outlive the step that started it, or it could still write into a file being deleted.
     */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
