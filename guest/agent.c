#define _GNU_SOURCE
/*
 * agentkernel guest agent (docs/PROTOCOL.md): serves the host's requests over every virtio-serial port named
 * "agent" or "agent-N" (QEMU) and AF_VSOCK port 52000 (Firecracker), each connection independently.
 *
 *   agent           the supervisor: finds the ports, runs a server process per port and one accepting vsock
 *                   connections, restarts any that dies, and reaps every orphan (it is a child subreaper)
 *   agent --stdio   serves one connection on stdin/stdout (tests on the host); "shutdown" just exits
 */
#include "conn.h"
#include "buildstep.h"
#include "ports.h"
#include "state.h"
#include "vsock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RESTART_DELAY_MS 1000
#define VSOCK_UNAVAILABLE 3

struct server {
    struct port port;
    pid_t pid;
    long long restart_at;
};

static long long monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t start_port_server(const struct port *port) {
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        port_serve(port);
    }
    if (pid < 0) fprintf(stderr, "agent: cannot fork a server for %s: %s\n", port->name, strerror(errno));
    return pid > 0 ? pid : 0;
}

static pid_t start_vsock_server(void) {
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        vsock_serve();
        fprintf(stderr, "agent: no vsock in this VM; serving virtio-serial only\n");
        _exit(VSOCK_UNAVAILABLE);
    }
    return pid > 0 ? pid : 0;
}

/* Adds the ports that appeared since the last scan. */
static void add_new_ports(struct server *servers, int *count) {
    struct port found[MAX_PORTS];
    int n = ports_scan(found, MAX_PORTS);
    for (int i = 0; i < n; i++) {
        int known = 0;
        for (int s = 0; s < *count; s++) known |= strcmp(servers[s].port.device, found[i].device) == 0;
        if (!known && *count < MAX_PORTS) servers[(*count)++] = (struct server){ found[i], 0, 0 };
    }
}

static void supervise(void) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    struct server servers[MAX_PORTS];
    int count = 0;
    pid_t vsock = start_vsock_server();
    long long vsock_restart_at = 0;
    for (;;) {
        long long now = monotonic_ms();
        add_new_ports(servers, &count);
        for (int s = 0; s < count; s++) {
            if (servers[s].pid == 0 && now >= servers[s].restart_at) servers[s].pid = start_port_server(&servers[s].port);
        }
        if (vsock == 0 && vsock_restart_at && now >= vsock_restart_at) { vsock = start_vsock_server(); vsock_restart_at = 0; }

        /* every child and every orphan handed to us ends here */
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int s = 0; s < count; s++) {
                if (servers[s].pid != pid) continue;
                fprintf(stderr, "agent: the server of port %s ended (status %d); restarting it\n", servers[s].port.name,
                        status);
                servers[s].pid = 0;
                servers[s].restart_at = monotonic_ms() + RESTART_DELAY_MS;
            }
            if (pid == vsock) {
                vsock = 0;
                if (!(WIFEXITED(status) && WEXITSTATUS(status) == VSOCK_UNAVAILABLE))
                    vsock_restart_at = monotonic_ms() + RESTART_DELAY_MS;
            }
        }
        /* ports appear when the virtio console driver has probed: look often until the first one is there */
        long long wait_ms = count == 0 ? 20 : 500;
        struct timespec timeout = { 0, wait_ms * 1000000 };
        sigtimedwait(&chld, NULL, &timeout);
    }
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* a vanished peer must not kill the agent; write() reports it */
    setenv("HOME", "/root", 0); /* init starts us with a bare environment; commands expect a home */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (argc > 1 && strcmp(argv[1], "--stdio") == 0) {
        conn_process_init();
        conn_serve(0, 1);
        while (conn_has_dying_sessions()) conn_idle(100);
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "build-run") == 0 || strcmp(argv[1], "build-xattrs") == 0
                     || strcmp(argv[1], "build-mount") == 0))
        return buildstep_main(argc, argv);
    if (argc > 1) {
        fprintf(stderr, "usage: agent [--stdio | build-run ... | build-xattrs DIR META | build-mount LABEL DIR]\n");
        return 2;
    }
    state_mount_run();
    supervise();
    return 0;
}
