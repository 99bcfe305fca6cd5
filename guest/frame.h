/* Framing: each message is a 4-byte little-endian length followed by that many bytes of JSON. */
#ifndef AGENT_FRAME_H
#define AGENT_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum frame_status {
    FRAME_OK,        /* *out holds len bytes (NUL-terminated), caller frees */
    FRAME_EOF,       /* the peer closed the stream between frames */
    FRAME_TOO_LARGE, /* the frame was longer than max: its bytes were read and dropped, the stream is in step */
    FRAME_ERROR      /* read error or EOF inside a frame: the stream is lost */
};

enum frame_status frame_read(int fd, uint32_t max, char **out, uint32_t *len);
/* Writes a whole frame; returns 0, or -1 with errno set. */
int frame_write(int fd, const char *payload, uint32_t len);

/* read/write that retry on EINTR and short transfers: return 0 on success, 1 on EOF before n bytes, -1 on error */
int read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);

#endif
