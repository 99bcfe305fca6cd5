package dev.agentkernel.agent;

import java.nio.file.Path;

/** A separate process that takes an agent port's lock and holds it until it is killed (for AgentPortsTest). */
public final class PortHolderMain {
    private PortHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        PortLock lock = PortLock.tryTake(AgentPortLayout.lockFile(Path.of(args[0]), Integer.parseInt(args[1])))
                .orElseThrow();
        System.out.println("holding");
        System.out.flush();
        Thread.sleep(600_000);
        lock.close();
    }
}
