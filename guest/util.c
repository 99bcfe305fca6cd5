#define _GNU_SOURCE
#include "util.h"

#include "frame.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rfc3339_now(char out[32]) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void close_fds_except(const int *keep, int count) {
    int max = (int)sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        /* collect first: closing while reading the directory would close its own descriptor */
        int fds[1024], n = 0, dir_fd = dirfd(dir);
        struct dirent *e;
        while ((e = readdir(dir)) != NULL && n < 1024) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] != '.' && fd >= 3 && fd != dir_fd) fds[n++] = fd;
        }
        closedir(dir);
        if (n < 1024) max = 0;
        for (int i = 0; i < n; i++) {
            int kept = 0;
            for (int k = 0; k < count; k++) kept |= keep[k] == fds[i];
            if (!kept) close(fds[i]);
        }
    }
    for (int fd = 3; fd < max; fd++) {
        int kept = 0;
        for (int k = 0; k < count; k++) kept |= keep[k] == fd;
        if (!kept) close(fd);
    }
}

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", dir, name, (int)getpid());
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int failed = write_full(fd, data, len) != 0;
    if (close(fd) != 0) failed = 1;
    if (failed || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

char *read_small_file(const char *path, size_t max, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) { close(fd); return NULL; }
    char *buf = xmalloc((size_t)st.st_size + 1);
    ssize_t n;
    do n = pread(fd, buf, (size_t)st.st_size, 0); while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0) { free(buf); return NULL; }
    buf[n] = 0;
    if (len) *len = (size_t)n;
    return buf;
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { perror("agent: out of memory"); exit(70); }
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) { perror("agent: out of memory"); exit(70); }
    return p;
}

char *xstrdup(const char *s) {
    char *p = strdup(s);
    if (!p) { perror("agent: out of memory"); exit(70); }
    return p;
}
