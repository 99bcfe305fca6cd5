#define _GNU_SOURCE
#include "outq.h"

#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct outq_chunk {
    struct outq_chunk *next;
    size_t len, done;
    unsigned char data[];
};

static unsigned char *append(struct outq *q, size_t n) {
    struct outq_chunk *c = malloc(sizeof *c + n);
    if (!c) { perror("agent: out of memory"); exit(70); }
    c->next = NULL;
    c->len = n;
    c->done = 0;
    if (q->tail) q->tail->next = c;
    else q->head = c;
    q->tail = c;
    q->bytes += n;
    return c->data;
}

void outq_frame(struct outq *q, const void *payload, size_t n) {
    unsigned char *p = append(q, 4 + n);
    put_u32le(p, (uint32_t)n);
    memcpy(p + 4, payload, n);
}

void outq_data(struct outq *q, unsigned kind, uint32_t stream, uint64_t offset, const void *bytes, size_t n) {
    unsigned char *p = append(q, 4 + DATA_HEADER_BYTES + n);
    data_frame_header(p, kind, stream, offset, (uint32_t)n);
    memcpy(p + 4 + DATA_HEADER_BYTES, bytes, n);
}

int outq_flush(struct outq *q, int fd) {
    while (q->head) {
        struct iovec iov[64];
        int count = 0;
        for (struct outq_chunk *c = q->head; c && count < 64; c = c->next, count++) {
            iov[count].iov_base = c->data + c->done;
            iov[count].iov_len = c->len - c->done;
        }
        ssize_t w = writev(fd, iov, count);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return 0;
            return -1;
        }
        size_t left = (size_t)w;
        q->bytes -= left;
        while (left > 0) {
            struct outq_chunk *c = q->head;
            size_t rest = c->len - c->done;
            if (left < rest) { c->done += left; break; }
            left -= rest;
            q->head = c->next;
            if (!q->head) q->tail = NULL;
            free(c);
        }
    }
    return 0;
}

int outq_drain(struct outq *q, int fd) {
    while (q->head) {
        if (outq_flush(q, fd) != 0) return -1;
        if (!q->head) break;
        struct pollfd p = { fd, POLLOUT, 0 };
        if (poll(&p, 1, -1) < 0 && errno != EINTR) return -1;
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) { errno = EPIPE; return -1; }
    }
    return 0;
}

void outq_clear(struct outq *q) {
    for (struct outq_chunk *c = q->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    q->head = q->tail = NULL;
    q->bytes = 0;
}
