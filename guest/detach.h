/*
 * Detached processes: `exec` with `detach`. A keeper process (orphaned, so it outlives the connection and is
 * reaped by the agent's subreaper) runs the command, copies its output into the state directory's
 * exec/N/stdout and stderr (the first 64 MiB of each), and writes exit.json when it ends; it holds exec/N/lock
 * for as long as it lives. exec_list, exec_logs and exec_kill read that directory, from any connection.
 */
#ifndef AGENT_DETACH_H
#define AGENT_DETACH_H

#include "exec.h"
#include "handlers.h"

#include <stdint.h>
#include <sys/types.h>

#define DETACHED_LOG_LIMIT (64u << 20)
#define EXEC_LOGS_DEFAULT_MAX (1u << 20)
#define EXEC_LOGS_MAX (8u << 20)

/* Starts spec detached as session N; 0 with *pid, or -1 with error and *code. */
int detach_start(const struct exec_spec *spec, uint32_t session, long long timeout_ms, pid_t *pid, char *error,
                 size_t size, int *code);

struct response handle_exec_list(const char *id, const struct json *request);
struct response handle_exec_logs(const char *id, const struct json *request);
struct response handle_exec_kill(const char *id, const struct json *request);

#endif
