#include "power.h"

#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

void power_off(void) {
    fprintf(stderr, "agent: shutdown requested, powering off\n");
    sync();
    reboot(RB_POWER_OFF);
    perror("agent: reboot(RB_POWER_OFF)");
    _exit(1);
}
