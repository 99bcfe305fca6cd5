/* AF_VSOCK (Firecracker, vhost-vsock): every accepted connection is served by its own process. */
#ifndef AGENT_VSOCK_H
#define AGENT_VSOCK_H

#define AGENT_VSOCK_PORT 52000

/* Accepts connections forever; returns -1 at once when this kernel has no usable vsock. */
int vsock_serve(void);

#endif
