/*
 * One connection: the frames of one host on one port (or vsock connection, or stdio), served by one event
 * loop. Requests are answered in order; an attached session's output, copies' entries and data, and the
 * responses share the output queue, which is written as fast as the host reads it (back-pressure).
 */
#ifndef AGENT_CONN_H
#define AGENT_CONN_H

#include "frame.h"
#include "json.h"
#include "outq.h"

#include <stdint.h>

struct session;
struct copy_out;
struct copy_in;

struct conn {
    int in_fd, out_fd;              /* the same descriptor for a port or a socket */
    struct frame_reader reader;
    struct outq out;
    struct session *session;        /* the attached session, at most one */
    struct copy_out *copy_out;      /* the copy being sent, at most one */
    struct copy_in *copy_in;        /* the copy being received, at most one */
    uint32_t next_copy;
    int shutdown;                   /* power off (or exit) once the response is out */
};

enum conn_end { CONN_HANGUP, CONN_SHUTDOWN };

/* Once per process, before serving: SIGCHLD (and SIGIO) are taken through a signalfd. */
void conn_process_init(void);
/* Serves one host until it hangs up (its attached session is then killed) or asks for shutdown. */
enum conn_end conn_serve(int in_fd, int out_fd);
/* Waits up to ms (reaping children, killing hung-up sessions on time); returns 1 early on SIGIO. */
int conn_idle(long long ms);
/* Whether sessions of earlier hosts are still being killed. */
int conn_has_dying_sessions(void);

/* Queues a JSON frame (takes the writer's buffer). */
void conn_send(struct conn *c, struct jwriter *w);
/* Queues {"id": id, "error": message} (id may be NULL: a protocol error). */
__attribute__((format(printf, 3, 4)))
void conn_error(struct conn *c, const char *id, const char *format, ...);
/* Queues {"id": id, "exit_code": 0}. */
void conn_ok(struct conn *c, const char *id);

#endif
