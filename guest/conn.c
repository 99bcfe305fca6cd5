#define _GNU_SOURCE
#include "conn.h"

#include "copy_in.h"
#include "copy_out.h"
#include "fields.h"
#include "handlers.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_CHUNK (64u << 10)

static int sigfd = -1;

void conn_process_init(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGIO);
    signal(SIGCHLD, SIG_DFL); /* a parent's SIG_IGN would reap our children for us */
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) { perror("agent: signalfd"); exit(70); }
}

/* Reaps every child that ended; returns whether a SIGIO (a port's host connected or sent) arrived. */
static int handle_signals(struct conn *c) {
    int io = 0;
    struct signalfd_siginfo info;
    while (read(sigfd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGIO) io = 1;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (!c || !session_reaped(c, pid, status)) dying_reaped(pid);
    }
    return io;
}

int conn_idle(long long ms) {
    long long until = now_ms() + ms;
    for (;;) {
        long long now = now_ms();
        if (now >= until) return 0;
        long long wait = until - now, dying = dying_timers();
        if (dying >= 0 && dying < wait) wait = dying;
        struct pollfd p = { sigfd, POLLIN, 0 };
        if (poll(&p, 1, (int)wait) > 0 && handle_signals(NULL)) return 1;
    }
}

int conn_has_dying_sessions(void) { return dying_count() > 0; }

void conn_send(struct conn *c, struct jwriter *w) {
    jw_end(w);
    outq_frame(&c->out, w->buf.data, w->buf.len);
    jbuf_free(&w->buf);
}

void conn_error(struct conn *c, const char *id, const char *format, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    struct jwriter w;
    response_begin(&w, id);
    jw_cstring(&w, "error", message);
    conn_send(c, &w);
}

void conn_ok(struct conn *c, const char *id) {
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    conn_send(c, &w);
}

/* Requests allowed while a session is attached: everything else is answered "busy". */
static int allowed_during_session(const char *type) {
    return !strcmp(type, "ping") || !strcmp(type, "signal") || !strcmp(type, "resize") || !strcmp(type, "stdin_close")
           || !strcmp(type, "copy_end");
}

static void dispatch_json(struct conn *c, const char *payload, uint32_t len) {
    const char *error = NULL;
    struct json_doc *doc = json_parse(payload, len, &error);
    if (!doc) { conn_error(c, NULL, "malformed request: %s", error); return; }
    const struct json *request = json_root(doc);
    if (request->type != JSON_OBJECT) {
        conn_error(c, NULL, "malformed request: not a JSON object");
        json_doc_free(doc);
        return;
    }
    const struct json *id_value = json_get(request, "id");
    char id_buf[32];
    const char *id = NULL;
    long long id_number;
    if (id_value && id_value->type == JSON_STRING && strlen(id_value->string) == id_value->length) {
        id = id_value->string;
    } else if (json_integer(id_value, -(1LL << 53), 1LL << 53, &id_number)) {
        snprintf(id_buf, sizeof id_buf, "%lld", id_number);
        id = id_buf;
    }
    const char *type = json_get_string(request, "type");
    if (type && id && !strcmp(type, "hello")) {
        /* A hello opens a host's connection. A host killed mid-command whose port was opened again before this
         * loop saw the hang-up left its session or copy running here: it ends now, as on a hang-up, so none of its
         * output reaches the new host after the hello's answer (what was queued before it, the host skips). */
        session_hangup(c);
        copy_out_abandon(c);
        copy_in_abandon(c);
    }
    if (type && !strcmp(type, "entry")) copy_in_entry(c, request); /* part of a copy_in: no id, no response */
    else if (!id) conn_error(c, NULL, "malformed request: id is required (a string)");
    else if (!type) conn_error(c, id, "malformed request: type is required (a string)");
    else if (c->session && !allowed_during_session(type))
        conn_error(c, id, "busy: session %u is running on this connection", session_id(c->session));
    else if (!strcmp(type, "exec")) session_exec(c, id, request);
    else if (!strcmp(type, "signal") || !strcmp(type, "resize") || !strcmp(type, "stdin_close"))
        session_control(c, id, type, request);
    else if (!strcmp(type, "copy_out")) copy_out_start(c, id, request);
    else if (!strcmp(type, "copy_in")) copy_in_start(c, id, request);
    else if (!strcmp(type, "copy_end")) copy_in_end(c, id, request);
    else {
        struct response r = handle_request(id, type, request);
        outq_frame(&c->out, r.json, r.len);
        free(r.json);
        if (r.shutdown) c->shutdown = 1;
    }
    json_doc_free(doc);
}

static void dispatch_data(struct conn *c, const char *payload, uint32_t len) {
    struct data_frame d;
    const char *error;
    if (data_frame_parse(payload, len, &d, &error) != 0) { conn_error(c, NULL, "malformed data frame: %s", error); return; }
    if (d.kind == DATA_STDIN) session_stdin(c, d.stream, d.bytes, d.len);
    else if (d.kind == DATA_FILE) copy_in_data(c, d.stream, d.offset, d.bytes, d.len);
    else conn_error(c, NULL, "malformed data frame: kind %u is not sent to the agent", d.kind);
}

static void dispatch(struct conn *c, const char *payload, uint32_t len) {
    if (len > 0 && payload[0] == 0) dispatch_data(c, payload, len);
    else dispatch_json(c, payload, len);
}

/* Feeds bytes read from the host to the frame reader and handles each whole frame. */
static void consume(struct conn *c, const unsigned char *bytes, size_t n) {
    for (;;) {
        const char *payload;
        uint32_t len;
        switch (frame_reader_next(&c->reader, &bytes, &n, &payload, &len)) {
        case FRAME_NEED_MORE:
            return;
        case FRAME_OVERSIZED:
            conn_error(c, NULL, "frame of %u bytes is larger than the limit (%u bytes of JSON, %u of data); it was skipped",
                       len, FRAME_MAX_JSON, DATA_HEADER_BYTES + DATA_MAX_BYTES);
            break;
        case FRAME_READY:
            dispatch(c, payload, len);
            break;
        }
    }
}

/* Whether the loop reads more frames now: not while stdin is backed up or a shutdown is pending. */
static int accepting(const struct conn *c) {
    return !c->shutdown && !session_stdin_full(c);
}

enum conn_end conn_serve(int in_fd, int out_fd) {
    struct conn conn = { .in_fd = in_fd, .out_fd = out_fd, .next_copy = 1 };
    struct conn *c = &conn;
    frame_reader_init(&c->reader);
    set_nonblocking(in_fd);
    set_nonblocking(out_fd);
    static unsigned char buf[READ_CHUNK];
    enum conn_end end = CONN_HANGUP;
    for (;;) {
        if (c->shutdown && c->out.bytes == 0) { end = CONN_SHUTDOWN; break; }
        while (c->copy_out && c->out.bytes < OUTQ_HIGH_WATER) copy_out_pump(c);
        long long timeout = session_timers(c), dying = dying_timers();
        if (dying >= 0 && (timeout < 0 || dying < timeout)) timeout = dying;

        enum { IN, OUT, SIG, SESSION, SLOTS = SESSION + 3 };
        struct pollfd fds[SLOTS];
        int same = in_fd == out_fd;
        short in_events = accepting(c) ? POLLIN : 0;
        short out_events = c->out.bytes > 0 ? POLLOUT : 0;
        fds[IN] = (struct pollfd){ in_fd, (short)(in_events | (same ? out_events : 0)), 0 };
        fds[OUT] = (struct pollfd){ same ? -1 : out_fd, out_events, 0 };
        fds[SIG] = (struct pollfd){ sigfd, POLLIN, 0 };
        session_pollfds(c, &fds[SESSION]);
        int ready = poll(fds, SLOTS, (int)(timeout > 60000 ? 60000 : timeout));
        if (ready < 0 && errno != EINTR) { perror("agent: poll"); break; }
        if (ready <= 0) continue;

        if (fds[SIG].revents) handle_signals(c);
        struct pollfd *out = same ? &fds[IN] : &fds[OUT];
        if (out->revents & (POLLOUT | POLLERR)) {
            if (outq_flush(&c->out, out_fd) != 0) break; /* the host is gone */
        }
        if (!same && (fds[OUT].revents & (POLLERR | POLLHUP))) break;
        if (fds[IN].revents & POLLIN) {
            ssize_t n = read(in_fd, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break; /* EOF or hang-up */
            if (n > 0) consume(c, buf, (size_t)n);
        } else if (fds[IN].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            break;
        }
        session_io(c, &fds[SESSION]);
    }
    if (end == CONN_HANGUP) {
        if (frame_reader_partial(&c->reader)) fprintf(stderr, "agent: the host hung up inside a frame; it is dropped\n");
        session_hangup(c);
    } else {
        outq_drain(&c->out, out_fd);
    }
    copy_out_abandon(c);
    copy_in_abandon(c);
    outq_clear(&c->out);
    frame_reader_free(&c->reader);
    return end;
}
