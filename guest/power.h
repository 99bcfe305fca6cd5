/* Powering the VM off, for the `shutdown` request. */
#ifndef AGENT_POWER_H
#define AGENT_POWER_H

__attribute__((noreturn)) void power_off(void);

#endif
