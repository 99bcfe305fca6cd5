/*
 * Attached sessions: an `exec` whose output streams to the connection that started it, with stdin, signals,
 * resize and the exit event; killed (SIGHUP, SIGKILL 2 s later) when that connection's host hangs up.
 */
#ifndef AGENT_SESSION_H
#define AGENT_SESSION_H

#include "conn.h"

#include <poll.h>
#include <sys/types.h>

/* How long output is still read after the process exited, for background children that keep the streams open. */
#define DRAIN_AFTER_EXIT_MS 100
/* How much stdin the agent holds for a process that does not read it before it stops reading the port. */
#define STDIN_BACKLOG_BYTES (1u << 20)
#define HANGUP_KILL_DELAY_MS 2000

/* exec without detach: starts the process and queues the response (the session, or an error). */
void session_exec(struct conn *c, const char *id, const struct json *request);
/* signal, resize, stdin_close: control requests for the attached session. */
void session_control(struct conn *c, const char *id, const char *type, const struct json *request);
/* A stdin data frame (kind 3). */
void session_stdin(struct conn *c, uint32_t stream, const unsigned char *bytes, size_t n);

/* Descriptors to watch: 3 slots (stdout, stderr, stdin), fd -1 when nothing to watch. */
void session_pollfds(const struct conn *c, struct pollfd fds[3]);
/* After poll: moves output to the queue, stdin to the process; may end the session (the exit event). */
void session_io(struct conn *c, const struct pollfd fds[3]);
/* A reaped child's status; returns whether it was this connection's session. */
int session_reaped(struct conn *c, pid_t pid, int status);
/* Timers (timeout, drain after exit): ms until the next one, -1 for none; acts on the ones due. */
long long session_timers(struct conn *c);
/* Whether the connection should read no more frames for now (stdin backlog full). */
int session_stdin_full(const struct conn *c);
/* The host hung up: the session's process group gets SIGHUP now and SIGKILL later. */
void session_hangup(struct conn *c);

/* The attached session's number. */
uint32_t session_id(const struct session *s);

/* Sessions of hosts that hung up, being killed: */
long long dying_timers(void);      /* SIGKILLs the ones due; ms until the next, -1 for none */
void dying_reaped(pid_t pid);
int dying_count(void);

#endif
