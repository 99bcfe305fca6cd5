/* The frames a connection has yet to send, written out as the peer takes them (never dropped). */
#ifndef AGENT_OUTQ_H
#define AGENT_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/* Above this many queued bytes, producers (a command's pipes, a copy) wait: back-pressure through the port. */
#define OUTQ_HIGH_WATER (1u << 20)

struct outq_chunk;

struct outq {
    struct outq_chunk *head, *tail;
    size_t bytes;        /* queued, not yet written */
};

/* Queues one frame holding payload[0..n). */
void outq_frame(struct outq *q, const void *payload, size_t n);
/* Queues a data frame. */
void outq_data(struct outq *q, unsigned kind, uint32_t stream, uint64_t offset, const void *bytes, size_t n);
/* Writes what fd takes without blocking (fd is non-blocking); 0, or -1 with errno when the peer is gone. */
int outq_flush(struct outq *q, int fd);
/* Writes everything, waiting for fd to take it; -1 when the peer is gone. */
int outq_drain(struct outq *q, int fd);
void outq_clear(struct outq *q);

#endif
