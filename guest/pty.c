#define _GNU_SOURCE
#include "pty.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int pty_open(int *master, char *slave_path, size_t size, unsigned rows, unsigned cols) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, slave_path, size) != 0 || pty_resize(fd, rows, cols) != 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    *master = fd;
    return 0;
}

int pty_resize(int master, unsigned rows, unsigned cols) {
    struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
    return ioctl(master, TIOCSWINSZ, &ws);
}

int pty_attach_child(const char *slave_path, uid_t uid) {
    int fd = open(slave_path, O_RDWR);
    if (fd < 0) return -1;
    if (ioctl(fd, TIOCSCTTY, 0) != 0) { close(fd); return -1; }
    if (uid != 0) (void)!fchown(fd, uid, (gid_t)-1);
    if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) return -1;
    if (fd > 2) close(fd);
    return 0;
}

unsigned char pty_eof_char(int master) {
    struct termios t;
    if (tcgetattr(master, &t) == 0 && t.c_cc[VEOF] != 0) return t.c_cc[VEOF];
    return 4;
}
