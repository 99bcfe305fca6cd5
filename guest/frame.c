#include "frame.h"

#include <errno.h>
#include <stdlib.h>
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

enum frame_status frame_read(int fd, uint32_t max, char **out, uint32_t *len) {
    unsigned char header[4];
    /* read the first byte alone, so a clean close between frames is told apart from a torn frame */
    int r = read_full(fd, header, 1);
    if (r == 1) return FRAME_EOF;
    if (r < 0 || read_full(fd, header + 1, 3) != 0) return FRAME_ERROR;
    uint32_t n = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
    *len = n;
    if (n > max) {
        /* drop the payload in chunks so the next frame starts where the peer expects it */
        char sink[65536];
        while (n > 0) {
            size_t chunk = n < sizeof sink ? n : sizeof sink;
            if (read_full(fd, sink, chunk) != 0) return FRAME_ERROR;
            n -= (uint32_t)chunk;
        }
        return FRAME_TOO_LARGE;
    }
    char *buf = malloc((size_t)n + 1);
    if (!buf) return FRAME_ERROR;
    if (read_full(fd, buf, n) != 0) { free(buf); return FRAME_ERROR; }
    buf[n] = 0;
    *out = buf;
    return FRAME_OK;
}

int frame_write(int fd, const char *payload, uint32_t len) {
    unsigned char header[4] = { (unsigned char)len, (unsigned char)(len >> 8), (unsigned char)(len >> 16),
                                (unsigned char)(len >> 24) };
    if (write_full(fd, header, 4) != 0) return -1;
    return write_full(fd, payload, len);
}
