/**
 * Sandbox networking without root: the modes ({@code --no-network}, the default user-mode NAT, a host-side
 * allowlist), published ports, and what a monitor and the guest need for each ({@link dev.agentkernel.net.NetworkPlan}).
 * {@link dev.agentkernel.net.Networking} is the entry point; docs/ARCHITECTURE.md has the design and the
 * measurements it rests on.
 */
package dev.agentkernel.net;
