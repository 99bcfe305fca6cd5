package dev.agentkernel.net;

/** What a sandbox's network is. */
public enum NetworkMode {
    /** No interface but loopback: the guest has no route anywhere. */
    NONE,
    /** Outbound TCP, UDP and ICMP through QEMU's user-mode NAT; the host's loopback is refused. */
    DEFAULT,
    /** Only the listed host names, through the host-side proxy; everything else is refused at once. */
    ALLOWLIST
}
