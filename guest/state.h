/*
 * The agent's state directory, shared by all its connections: /run/agentkernel (or $AGENTKERNEL_AGENT_STATE),
 * holding the session counter and exec/N/ for each detached process.
 */
#ifndef AGENT_STATE_H
#define AGENT_STATE_H

#include <stddef.h>
#include <stdint.h>

const char *state_dir(void);
/* In a VM: mounts a tmpfs on /run when it is not one (unless $AGENTKERNEL_AGENT_STATE is set). */
void state_mount_run(void);
/* The next session number (1, 2, ...), unique across connections; 0 with `error` when the directory fails. */
uint32_t state_next_session(char *error, size_t size);
/* dir of session N: <state>/exec/N */
void state_session_dir(uint32_t session, char *out, size_t size);

#endif
