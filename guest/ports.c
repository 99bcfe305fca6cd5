#define _GNU_SOURCE
#include "ports.h"

#include "conn.h"
#include "power.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * How long a port without a host waits before looking again: only a safety net, since the port's SIGIO (read
 * through the signal fd, so none is lost between the check and the wait) wakes it when a host connects. Each
 * look wakes the idle guest, 16 ports at a time; at 250 ms that was most of an idle sandbox's CPU.
 */
#define HOST_POLL_MS 1000

static int agent_port_name(const char *name) {
    if (strcmp(name, "agent") == 0) return 1;
    if (strncmp(name, "agent-", 6) != 0) return 0;
    const char *n = name + 6;
    size_t len = strlen(n);
    if (len < 1 || len > 2 || n[0] == '0') return 0;
    for (size_t i = 0; i < len; i++) if (n[i] < '0' || n[i] > '9') return 0;
    return 1;
}

int ports_scan(struct port *ports, int max) {
    DIR *dir = opendir("/sys/class/virtio-ports");
    if (!dir) return 0;
    struct dirent *entry;
    int n = 0;
    while (n < max && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.' || strlen(entry->d_name) > 64) continue;
        char path[512], name[64] = "";
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", entry->d_name);
        FILE *f = fopen(path, "re");
        if (!f) continue;
        if (fgets(name, sizeof name, f)) name[strcspn(name, "\n")] = 0;
        fclose(f);
        if (!agent_port_name(name)) continue;
        snprintf(ports[n].name, sizeof ports[n].name, "%s", name);
        snprintf(ports[n].device, sizeof ports[n].device, "/dev/%s", entry->d_name);
        n++;
    }
    closedir(dir);
    return n;
}

/* Whether a host is connected to the port: while none is, the port polls as hung up. */
static int host_connected(int fd) {
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

void port_serve(const struct port *port) {
    conn_process_init();
    int announced = 0;
    for (;;) {
        int fd = open(port->device, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
            if (!announced) fprintf(stderr, "agent: cannot open %s (%s): %s\n", port->device, port->name, strerror(errno));
            announced = 1;
            conn_idle(HOST_POLL_MS);
            continue;
        }
        /* the port signals a change of the host's connection with SIGIO */
        fcntl(fd, F_SETOWN, getpid());
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
        if (!announced++) fprintf(stderr, "agent: serving virtio-serial port %s (%s)\n", port->name, port->device);
        while (!host_connected(fd)) conn_idle(HOST_POLL_MS);
        enum conn_end end = conn_serve(fd, fd);
        if (end == CONN_SHUTDOWN) power_off();
        close(fd); /* closing discards what the host left unread; the next host starts clean */
    }
}
