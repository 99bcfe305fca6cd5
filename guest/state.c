#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define DEFAULT_STATE_DIR "/run/agentkernel"

const char *state_dir(void) {
    const char *dir = getenv("AGENTKERNEL_AGENT_STATE");
    return dir && dir[0] == '/' ? dir : DEFAULT_STATE_DIR;
}

void state_mount_run(void) {
    if (getenv("AGENTKERNEL_AGENT_STATE")) return;
    struct statfs fs;
    if (statfs("/run", &fs) == 0 && (unsigned long)fs.f_type == TMPFS_MAGIC) return;
    mkdir("/run", 0755);
    if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        fprintf(stderr, "agent: cannot mount a tmpfs on /run: %s\n", strerror(errno));
}

static int mkdirs(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) { errno = ENAMETOOLONG; return -1; }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -1;
    return 0;
}

void state_session_dir(uint32_t session, char *out, size_t size) {
    snprintf(out, size, "%s/exec/%u", state_dir(), session);
}

uint32_t state_next_session(char *error, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/exec", state_dir());
    if (mkdirs(path) != 0) {
        snprintf(error, size, "cannot create the state directory %s: %s", path, strerror(errno));
        return 0;
    }
    snprintf(path, sizeof path, "%s/next-session", state_dir());
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        snprintf(error, size, "cannot lock %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return 0;
    }
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    unsigned long long next = n > 0 ? strtoull(buf, NULL, 10) : 0;
    if (next == 0 || next > 0xFFFFFFFEull) next = 1;
    int len = snprintf(buf, sizeof buf, "%llu\n", next + 1);
    if (pwrite(fd, buf, (size_t)len, 0) != len || ftruncate(fd, len) != 0) {
        snprintf(error, size, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return 0;
    }
    close(fd); /* releases the lock */
    return (uint32_t)next;
}
