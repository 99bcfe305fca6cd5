/*
 * virtio-serial ports (QEMU): every port named "agent" or "agent-N" is one connection at a time. The
 * supervisor finds them in /sys/class/virtio-ports; each is served by its own process.
 */
#ifndef AGENT_PORTS_H
#define AGENT_PORTS_H

#include <stddef.h>

#define MAX_PORTS 32

struct port {
    char name[64];      /* "agent", "agent-3" */
    char device[128];   /* "/dev/vport0p3" */
};

/* The agent ports the guest has now; returns how many were put in ports[0..max). */
int ports_scan(struct port *ports, int max);
/* Serves one port forever: waits for a host, serves it, and again after it hangs up. */
__attribute__((noreturn)) void port_serve(const struct port *port);

#endif
