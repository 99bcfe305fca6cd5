#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int read_full(int fd, void *buf, size_t n) {
    char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, p + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 1;
        done += (size_t)r;
    }
    return 0;
}

int write_full(int fd, const void *buf, size_t n) {
    const char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        done += (size_t)w;
    }
    return 0;
}

void put_u32le(unsigned char *out, uint32_t v) {
    out[0] = (unsigned char)v;
    out[1] = (unsigned char)(v >> 8);
    out[2] = (unsigned char)(v >> 16);
    out[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void frame_reader_init(struct frame_reader *r) { memset(r, 0, sizeof *r); }

void frame_reader_reset(struct frame_reader *r) {
    r->header_have = 0;
    r->have = 0;
    r->len = 0;
    r->skipping = 0;
}

void frame_reader_free(struct frame_reader *r) {
    free(r->buf);
    frame_reader_init(r);
}

int frame_reader_partial(const struct frame_reader *r) { return r->header_have > 0; }

/* Room for at least `need` payload bytes (+ NUL), grown geometrically so a frame costs what has arrived. */
static void reserve(struct frame_reader *r, size_t need) {
    if (need + 1 <= r->cap) return;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < need + 1) cap *= 2;
    if (cap > (size_t)r->len + 1) cap = (size_t)r->len + 1;
    char *grown = realloc(r->buf, cap);
    if (!grown) { perror("agent: out of memory"); exit(70); }
    r->buf = grown;
    r->cap = cap;
}

enum frame_event frame_reader_next(struct frame_reader *r, const unsigned char **data, size_t *n,
                                   const char **payload, uint32_t *len) {
    /* a large buffer from an earlier frame is not kept around */
    if (r->header_have == 0 && r->cap > (1u << 20)) { free(r->buf); r->buf = NULL; r->cap = 0; }
    while (*n > 0 || (r->header_have == 4 && r->have == r->len)) {
        if (r->header_have < 4) {
            r->header[r->header_have++] = **data;
            (*data)++;
            (*n)--;
            if (r->header_have < 4) continue;
            r->len = get_u32le(r->header);
            r->have = 0;
            r->skipping = r->len > FRAME_MAX_JSON;
            continue;
        }
        if (r->have < r->len) {
            size_t take = r->len - r->have < *n ? r->len - r->have : *n;
            if (r->have == 0 && **data == 0 && r->len > DATA_HEADER_BYTES + DATA_MAX_BYTES) r->skipping = 1;
            if (!r->skipping) {
                reserve(r, (size_t)r->have + take);
                memcpy(r->buf + r->have, *data, take);
            }
            r->have += (uint32_t)take;
            *data += take;
            *n -= take;
            if (r->have < r->len) continue;
        }
        /* a whole frame */
        *len = r->len;
        int skipped = r->skipping;
        r->header_have = 0;
        r->skipping = 0;
        if (skipped) return FRAME_OVERSIZED;
        reserve(r, r->len);
        r->buf[r->len] = 0;
        *payload = r->buf;
        return FRAME_READY;
    }
    return FRAME_NEED_MORE;
}

static uint64_t get_u64le(const unsigned char *p) {
    return (uint64_t)get_u32le(p) | (uint64_t)get_u32le(p + 4) << 32;
}

int data_frame_parse(const char *payload, uint32_t len, struct data_frame *out, const char **error) {
    const unsigned char *p = (const unsigned char *)payload;
    if (len < DATA_HEADER_BYTES) { *error = "data frame shorter than its 14-byte header"; return -1; }
    if (p[1] < DATA_STDOUT || p[1] > DATA_FILE) { *error = "data frame of an unknown kind"; return -1; }
    out->kind = p[1];
    out->stream = get_u32le(p + 2);
    out->offset = get_u64le(p + 6);
    out->bytes = p + DATA_HEADER_BYTES;
    out->len = len - DATA_HEADER_BYTES;
    if (out->offset > (UINT64_MAX >> 1) - out->len) { *error = "data frame offset out of range"; return -1; }
    return 0;
}

void data_frame_header(unsigned char out[4 + DATA_HEADER_BYTES], unsigned kind, uint32_t stream, uint64_t offset,
                       uint32_t n) {
    put_u32le(out, DATA_HEADER_BYTES + n);
    out[4] = 0;
    out[5] = (unsigned char)kind;
    put_u32le(out + 6, stream);
    put_u32le(out + 10, (uint32_t)offset);
    put_u32le(out + 14, (uint32_t)(offset >> 32));
}
