/* Where the host's requests come from: AF_VSOCK (Firecracker, vhost-vsock) or a virtio-serial port. */
#ifndef AGENT_TRANSPORT_H
#define AGENT_TRANSPORT_H

#define AGENT_VSOCK_PORT 52000
#define AGENT_SERIAL_PORT_NAME "agent"

/* Serves one stream until the peer closes it; returns 1 when the peer asked for shutdown, else 0. */
int serve_stream(int in_fd, int out_fd);

/* Accepts vsock connections forever; returns -1 at once when this kernel has no usable vsock. */
int serve_vsock(void);
/* Waits for the virtio-serial port named "agent" and serves it forever (reopening after each host disconnect). */
void serve_serial(void);

#endif
