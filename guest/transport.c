#define _GNU_SOURCE
#include "transport.h"

#include "frame.h"
#include "handlers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

int serve_stream(int in_fd, int out_fd) {
    for (;;) {
        char *payload = NULL;
        uint32_t len = 0;
        struct response r;
        switch (frame_read(in_fd, MAX_REQUEST_BYTES, &payload, &len)) {
        case FRAME_EOF:
            return 0;
        case FRAME_ERROR:
            fprintf(stderr, "agent: stream lost: %s\n", errno ? strerror(errno) : "closed inside a frame");
            return 0;
        case FRAME_TOO_LARGE:
            r = oversized_response(len);
            break;
        default:
            r = handle_request(payload, len);
            free(payload);
        }
        int failed = frame_write(out_fd, r.json, (uint32_t)r.len) != 0;
        free(r.json);
        if (failed) {
            fprintf(stderr, "agent: cannot send a response: %s\n", strerror(errno));
            return 0;
        }
        if (r.shutdown) return 1;
    }
}

int serve_vsock(void) {
    int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_port = AGENT_VSOCK_PORT, .svm_cid = VMADDR_CID_ANY };
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return -1;
    }
    fprintf(stderr, "agent: listening on vsock port %d\n", AGENT_VSOCK_PORT);
    for (;;) {
        int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            fprintf(stderr, "agent: vsock accept: %s\n", strerror(errno));
            sleep(1);
            continue;
        }
        int shutdown = serve_stream(conn, conn);
        close(conn);
        if (shutdown) return 1;
    }
}

/* "/dev/vportNpM" of the port whose sysfs name is "agent", or 0 when there is none (yet). */
static int find_serial_port(char *device, size_t size) {
    DIR *dir = opendir("/sys/class/virtio-ports");
    if (!dir) return 0;
    struct dirent *entry;
    int found = 0;
    while (!found && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char path[512], name[64] = "";
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", entry->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (fgets(name, sizeof name, f)) name[strcspn(name, "\n")] = 0;
        fclose(f);
        if (strcmp(name, AGENT_SERIAL_PORT_NAME) == 0) {
            snprintf(device, size, "/dev/%s", entry->d_name);
            found = 1;
        }
    }
    closedir(dir);
    return found;
}

void serve_serial(void) {
    char device[300];
    int announced = 0;
    for (;;) {
        if (!find_serial_port(device, sizeof device)) {
            usleep(20000);
            continue;
        }
        int fd = open(device, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            usleep(20000);
            continue;
        }
        if (!announced++) fprintf(stderr, "agent: serving virtio-serial port %s\n", device);
        /* a read returns end-of-file while the host side is not connected: wait a little and look again */
        int shutdown = serve_stream(fd, fd);
        close(fd);
        if (shutdown) return;
        usleep(20000);
    }
}
