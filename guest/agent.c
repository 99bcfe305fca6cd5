#define _GNU_SOURCE
/*
 * agentkernel guest agent: serves the host's requests (run a command, read and write files, shut down)
 * over AF_VSOCK port 52000 and over the virtio-serial port named "agent", whichever the VM has.
 *
 *   agent           serve both transports; "shutdown" syncs and powers the VM off
 *   agent --stdio   serve frames on stdin/stdout once (tests on the host); "shutdown" just exits
 */
#include "transport.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static void power_off(void) {
    fprintf(stderr, "agent: shutdown requested, powering off\n");
    sync();
    reboot(RB_POWER_OFF);
    perror("agent: reboot(RB_POWER_OFF)");
    _exit(1);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* a vanished peer must not kill the agent; write() reports it */
    setenv("HOME", "/root", 0); /* init starts us with a bare environment; commands expect a home */
    if (argc > 1 && strcmp(argv[1], "--stdio") == 0) {
        serve_stream(0, 1);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: agent [--stdio]\n");
        return 2;
    }
    /* vsock in a child process, virtio-serial here: each transport blocks on its own peer */
    pid_t vsock_server = fork();
    if (vsock_server == 0) {
        if (serve_vsock() == 1) power_off();
        fprintf(stderr, "agent: no vsock in this VM; serving virtio-serial only\n");
        _exit(0);
    }
    serve_serial();
    power_off();
    return 0;
}
