/*
 * Framing (docs/PROTOCOL.md): a 4-byte little-endian length, then the payload. A payload starting with '{' is
 * JSON; one starting with 0x00 is a data frame (a 14-byte header, then bytes).
 */
#ifndef AGENT_FRAME_H
#define AGENT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX_JSON (16u << 20)       /* larger frames are skipped and answered with an error */
#define DATA_HEADER_BYTES 14
#define DATA_MAX_BYTES (1u << 20)        /* bytes in one data frame at most */
#define DATA_CHUNK_BYTES (256u << 10)    /* what the agent sends per data frame */

enum data_kind { DATA_STDOUT = 1, DATA_STDERR = 2, DATA_STDIN = 3, DATA_FILE = 4 };

/* Reads frames out of a byte stream that arrives in pieces; the buffer grows as bytes arrive. */
struct frame_reader {
    unsigned char header[4];
    unsigned header_have;
    uint32_t len;        /* payload length of the current frame */
    uint32_t have;       /* payload bytes of it seen so far */
    int skipping;        /* over the limit: its bytes are dropped */
    char *buf;
    size_t cap;
};

enum frame_event {
    FRAME_NEED_MORE,     /* every byte given was consumed */
    FRAME_READY,         /* *payload (NUL-terminated, valid until the next call) holds *len bytes */
    FRAME_OVERSIZED      /* a frame over the limit was skipped whole; *len is its announced length */
};

void frame_reader_init(struct frame_reader *r);
/* Consumes bytes from *data (advancing it and *n) up to the end of one frame. */
enum frame_event frame_reader_next(struct frame_reader *r, const unsigned char **data, size_t *n,
                                   const char **payload, uint32_t *len);
/* Whether a frame has been started but not finished. */
int frame_reader_partial(const struct frame_reader *r);
/* Drops a half-read frame (the peer went away). */
void frame_reader_reset(struct frame_reader *r);
void frame_reader_free(struct frame_reader *r);

struct data_frame {
    unsigned kind;
    uint32_t stream;
    uint64_t offset;
    const unsigned char *bytes;
    size_t len;
};

/* Parses a data frame payload (first byte 0); returns 0, or -1 with *error for a malformed one. */
int data_frame_parse(const char *payload, uint32_t len, struct data_frame *out, const char **error);
/* Writes the 4-byte length and the 14-byte header of a data frame carrying n bytes into out[18]. */
void data_frame_header(unsigned char out[4 + DATA_HEADER_BYTES], unsigned kind, uint32_t stream, uint64_t offset,
                       uint32_t n);
void put_u32le(unsigned char *out, uint32_t v);

/* read/write that retry on EINTR and short transfers: return 0 on success, 1 on EOF before n bytes, -1 on error */
int read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);

#endif
