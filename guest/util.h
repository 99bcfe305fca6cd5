/* Small helpers every part of the agent uses: clocks, file descriptors, atomic files, memory. */
#ifndef AGENT_UTIL_H
#define AGENT_UTIL_H

#include <stddef.h>

long long now_ms(void);
/* The current UTC time as RFC 3339 with milliseconds ("2024-05-01T12:00:00.123Z"). */
void rfc3339_now(char out[32]);
void set_nonblocking(int fd);
/* Closes every descriptor >= 3 except the ones listed (-1 entries are ignored). */
void close_fds_except(const int *keep, int count);
/* Writes dir/name through a temporary file and a rename, so a reader sees all of it or nothing. */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t len);
/* Reads a whole small file (at most max bytes) into a malloc'd NUL-terminated buffer, or NULL. */
char *read_small_file(const char *path, size_t max, size_t *len);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

#endif
