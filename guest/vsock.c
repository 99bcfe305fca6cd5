#define _GNU_SOURCE
#include "vsock.h"

#include "conn.h"
#include "power.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* From <linux/vm_sockets.h>, spelled out so the agent builds with musl, which ships no kernel headers. */
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define VMADDR_CID_ANY 0xFFFFFFFFu
struct sockaddr_vm {
    unsigned short svm_family;
    unsigned short svm_reserved1;
    unsigned int svm_port;
    unsigned int svm_cid;
    unsigned char svm_flags;
    unsigned char svm_zero[3];
};

int vsock_serve(void) {
    int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_port = AGENT_VSOCK_PORT, .svm_cid = VMADDR_CID_ANY };
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    fprintf(stderr, "agent: listening on vsock port %d\n", AGENT_VSOCK_PORT);
    signal(SIGCHLD, SIG_IGN); /* connection processes are reaped by the kernel */
    for (;;) {
        int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            fprintf(stderr, "agent: vsock accept: %s\n", strerror(errno));
            sleep(1);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(fd);
            conn_process_init();
            if (conn_serve(conn, conn) == CONN_SHUTDOWN) power_off();
            while (conn_has_dying_sessions()) conn_idle(100);
            _exit(0);
        }
        if (pid < 0) fprintf(stderr, "agent: cannot fork for a vsock connection: %s\n", strerror(errno));
        close(conn);
    }
}
