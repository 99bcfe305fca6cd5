#define _GNU_SOURCE
#include "session.h"

#include "detach.h"
#include "exec.h"
#include "fields.h"
#include "pty.h"
#include "signals.h"
#include "state.h"
#include "users.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct session {
    uint32_t id;
    pid_t pid;
    int tty;
    int fd[2];                /* stdout, stderr (the master twice over is not needed: stderr is -1 with tty) */
    uint64_t offset[2];
    int in_fd;                /* stdin pipe or master; -1 when none or closed */
    char *in_buf;             /* stdin not yet taken by the process */
    size_t in_len, in_cap;
    int in_closing;           /* stdin_close arrived: close (or send ^D) once in_buf is written */
    long long deadline;       /* timeout: when to kill, 0 for none */
    int timed_out;
    int exited, status;
    long long exited_at;
    size_t drain_left[2];     /* bytes that were in each stream when the process exited */
};

/* ---- sessions of hosts that hung up ---- */

#define MAX_DYING 256
static struct { pid_t pid; long long kill_at; } dying[MAX_DYING];
static int dying_n;

long long dying_timers(void) {
    long long now = now_ms(), next = -1;
    for (int i = 0; i < dying_n;) {
        if (now >= dying[i].kill_at) {
            kill(-dying[i].pid, SIGKILL);
            kill(dying[i].pid, SIGKILL);
            dying[i] = dying[--dying_n];
            continue;
        }
        long long wait = dying[i].kill_at - now;
        if (next < 0 || wait < next) next = wait;
        i++;
    }
    return next;
}

void dying_reaped(pid_t pid) { (void)pid; /* its process group still gets SIGKILL on time */ }
int dying_count(void) { return dying_n; }

/* ---- starting ---- */

static void exec_error(struct conn *c, const char *id, int code, const char *message) {
    struct jwriter w;
    jw_begin(&w);
    jw_cstring(&w, "id", id);
    jw_int(&w, "exit_code", code);
    jw_cstring(&w, "error", message);
    conn_send(c, &w);
}

void session_exec(struct conn *c, const char *id, const struct json *request) {
    struct field_error err;
    char **argv = NULL;
    const char *cwd, *user_spec;
    int tty, want_stdin, detach;
    long long rows, cols, timeout_ms;
    if (field_argv(request, "command", &argv, &err) || field_string(request, "cwd", 0, &cwd, &err)
        || field_string(request, "user", 0, &user_spec, &err) || field_bool(request, "tty", 0, &tty, &err)
        || field_int(request, "rows", 1, 65535, 24, &rows, &err)
        || field_int(request, "cols", 1, 65535, 80, &cols, &err)
        || field_bool(request, "stdin", 0, &want_stdin, &err)
        || field_int(request, "timeout_ms", 0, 1LL << 40, 0, &timeout_ms, &err)
        || field_bool(request, "detach", 0, &detach, &err)) {
        free(argv);
        conn_error(c, id, "exec: %s", err.message);
        return;
    }
    struct user_ids *user = NULL;
    char message[1024];
    if (user_spec) {
        user = xmalloc(sizeof *user);
        if (user_resolve(user_spec, user, message, sizeof message) != 0) {
            exec_error(c, id, 126, message);
            free(user);
            free(argv);
            return;
        }
    }
    char **env = exec_environment(json_get(request, "env"), user, tty, &err);
    if (!env) {
        conn_error(c, id, "exec: %s", err.message);
        free(user);
        free(argv);
        return;
    }
    struct exec_spec spec = {
        .argv = argv, .env = env, .cwd = cwd, .user = user, .tty = tty,
        .rows = (unsigned)rows, .cols = (unsigned)cols, .stdin_pipe = want_stdin && !detach,
    };
    uint32_t id_number = state_next_session(message, sizeof message);
    if (id_number == 0) {
        conn_error(c, id, "exec: %s", message);
    } else if (detach) {
        pid_t pid;
        int code;
        if (detach_start(&spec, id_number, timeout_ms, &pid, message, sizeof message, &code) != 0) {
            exec_error(c, id, code, message);
        } else {
            struct jwriter w;
            jw_begin(&w);
            jw_cstring(&w, "id", id);
            jw_int(&w, "exit_code", 0);
            jw_int(&w, "session", id_number);
            jw_int(&w, "pid", pid);
            conn_send(c, &w);
        }
    } else {
        struct exec_process p;
        int code;
        if (exec_start(&spec, &p, message, sizeof message, &code) != 0) {
            exec_error(c, id, code, message);
        } else {
            struct session *s = xcalloc(1, sizeof *s);
            s->id = id_number;
            s->pid = p.pid;
            s->tty = tty;
            s->fd[0] = p.out_fd;
            s->fd[1] = p.err_fd;
            s->in_fd = p.in_fd;
            s->deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
            c->session = s;
            struct jwriter w;
            jw_begin(&w);
            jw_cstring(&w, "id", id);
            jw_int(&w, "exit_code", 0);
            jw_int(&w, "session", s->id);
            jw_int(&w, "pid", s->pid);
            conn_send(c, &w);
        }
    }
    exec_env_free(env);
    free(user);
    free(argv);
}

/* ---- control ---- */

static struct session *session_for(struct conn *c, const char *id, const char *type, const struct json *request) {
    struct field_error err;
    long long number;
    if (field_int(request, "session", 1, 0xFFFFFFFFLL, 0, &number, &err)) {
        conn_error(c, id, "%s: %s", type, err.message);
        return NULL;
    }
    if (number == 0) {
        conn_error(c, id, "%s: session is required", type);
        return NULL;
    }
    if (!c->session || c->session->id != (uint32_t)number) {
        conn_error(c, id, "%s: session %lld is not attached to this connection", type, number);
        return NULL;
    }
    return c->session;
}

static void close_stdin(struct session *s) {
    if (s->in_fd >= 0) close(s->in_fd);
    s->in_fd = -1;
    free(s->in_buf);
    s->in_buf = NULL;
    s->in_len = s->in_cap = 0;
}

/* Writes what the process takes of its pending stdin; then the EOF, once stdin_close asked for it. */
static void flush_stdin(struct session *s) {
    while (s->in_fd >= 0 && s->in_len > 0) {
        ssize_t w = write(s->in_fd, s->in_buf, s->in_len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) return;
        if (w <= 0) { close_stdin(s); return; } /* the process closed its stdin: what it never reads is dropped */
        memmove(s->in_buf, s->in_buf + w, s->in_len - (size_t)w);
        s->in_len -= (size_t)w;
    }
    if (s->in_fd >= 0 && s->in_closing && s->in_len == 0) {
        if (s->tty) {
            unsigned char eof = pty_eof_char(s->in_fd);
            ssize_t w;
            do w = write(s->in_fd, &eof, 1); while (w < 0 && errno == EINTR);
            if (w < 0 && errno == EAGAIN) return;
        }
        close_stdin(s);
    }
}

void session_control(struct conn *c, const char *id, const char *type, const struct json *request) {
    struct session *s = session_for(c, id, type, request);
    if (!s) return;
    struct field_error err;
    if (!strcmp(type, "signal")) {
        int sig;
        if (field_signal(request, "signal", 0, &sig, &err)) { conn_error(c, id, "signal: %s", err.message); return; }
        if (sig == 0) { conn_error(c, id, "signal: signal is required"); return; }
        if (s->exited) { conn_error(c, id, "signal: session %u has exited", s->id); return; }
        if (kill(-s->pid, sig) != 0 && kill(s->pid, sig) != 0) {
            conn_error(c, id, "signal: session %u: %s", s->id, strerror(errno));
            return;
        }
        conn_ok(c, id);
    } else if (!strcmp(type, "resize")) {
        long long rows, cols;
        if (field_int(request, "rows", 1, 65535, 0, &rows, &err) || field_int(request, "cols", 1, 65535, 0, &cols, &err)) {
            conn_error(c, id, "resize: %s", err.message);
            return;
        }
        if (!rows || !cols) { conn_error(c, id, "resize: rows and cols are required"); return; }
        if (!s->tty || s->fd[0] < 0) { conn_error(c, id, "resize: session %u has no terminal", s->id); return; }
        if (pty_resize(s->fd[0], (unsigned)rows, (unsigned)cols) != 0) {
            conn_error(c, id, "resize: %s", strerror(errno));
            return;
        }
        conn_ok(c, id);
    } else { /* stdin_close */
        s->in_closing = 1;
        flush_stdin(s);
        conn_ok(c, id);
    }
}

void session_stdin(struct conn *c, uint32_t stream, const unsigned char *bytes, size_t n) {
    struct session *s = c->session;
    /* stdin for a session that already ended (or never had stdin) is dropped: the host may send it in a race */
    if (!s || s->id != stream || s->in_fd < 0 || s->in_closing || n == 0) return;
    if (s->in_len + n > s->in_cap) {
        size_t cap = s->in_cap ? s->in_cap : 65536;
        while (cap < s->in_len + n) cap *= 2;
        s->in_buf = realloc(s->in_buf, cap);
        if (!s->in_buf) { perror("agent: out of memory"); exit(70); }
        s->in_cap = cap;
    }
    memcpy(s->in_buf + s->in_len, bytes, n);
    s->in_len += n;
    flush_stdin(s);
}

int session_stdin_full(const struct conn *c) { return c->session && c->session->in_len >= STDIN_BACKLOG_BYTES; }

/* ---- output and the end ---- */

void session_pollfds(const struct conn *c, struct pollfd fds[3]) {
    const struct session *s = c->session;
    for (int i = 0; i < 3; i++) fds[i] = (struct pollfd){ -1, 0, 0 };
    if (!s) return;
    int room = c->out.bytes < OUTQ_HIGH_WATER;
    for (int i = 0; i < 2; i++) {
        /* with back-pressure the stream is not watched at all: its process blocks on a full pipe */
        if (s->fd[i] >= 0 && room) fds[i] = (struct pollfd){ s->fd[i], POLLIN, 0 };
    }
    if (s->in_fd >= 0 && s->in_len > 0) fds[2] = (struct pollfd){ s->in_fd, POLLOUT, 0 };
}

static void send_exit(struct conn *c, struct session *s) {
    struct jwriter w;
    jw_begin(&w);
    jw_cstring(&w, "event", "exit");
    jw_int(&w, "session", s->id);
    if (WIFSIGNALED(s->status)) {
        jw_int(&w, "exit_code", 128 + WTERMSIG(s->status));
        jw_int(&w, "signal", WTERMSIG(s->status));
        if (WCOREDUMP(s->status)) jw_bool(&w, "core_dumped", 1);
    } else {
        jw_int(&w, "exit_code", WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 1);
    }
    if (s->timed_out) jw_bool(&w, "timed_out", 1);
    conn_send(c, &w);
}

static void session_free(struct session *s) {
    for (int i = 0; i < 2; i++) if (s->fd[i] >= 0) close(s->fd[i]);
    close_stdin(s);
    free(s);
}

/* The exit event goes out once the process is gone and its output is drained. */
static void maybe_finish(struct conn *c) {
    struct session *s = c->session;
    if (!s || !s->exited) return;
    int open_streams = (s->fd[0] >= 0) + (s->fd[1] >= 0);
    int drained = s->drain_left[0] == 0 && s->drain_left[1] == 0 && now_ms() - s->exited_at >= DRAIN_AFTER_EXIT_MS;
    if (open_streams > 0 && !drained) return;
    send_exit(c, s);
    c->session = NULL;
    session_free(s);
}

static void read_stream(struct conn *c, struct session *s, int i) {
    static unsigned char buf[DATA_CHUNK_BYTES];
    ssize_t n;
    do n = read(s->fd[i], buf, sizeof buf); while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { /* EOF, or EIO from a terminal whose every slave descriptor is closed */
        close(s->fd[i]);
        s->fd[i] = -1;
        s->drain_left[i] = 0;
        return;
    }
    outq_data(&c->out, i == 0 ? DATA_STDOUT : DATA_STDERR, s->id, s->offset[i], buf, (size_t)n);
    s->offset[i] += (uint64_t)n;
    s->drain_left[i] = s->drain_left[i] > (size_t)n ? s->drain_left[i] - (size_t)n : 0;
}

void session_io(struct conn *c, const struct pollfd fds[3]) {
    struct session *s = c->session;
    if (!s) return;
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd >= 0 && fds[i].fd == s->fd[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            read_stream(c, s, i);
    }
    if (fds[2].fd >= 0 && fds[2].fd == s->in_fd && fds[2].revents) flush_stdin(s);
    maybe_finish(c);
}

int session_reaped(struct conn *c, pid_t pid, int status) {
    struct session *s = c->session;
    if (!s || s->pid != pid || s->exited) return 0;
    s->exited = 1;
    s->status = status;
    s->exited_at = now_ms();
    /* whatever is in the streams now was written by the process itself: it is all sent */
    for (int i = 0; i < 2; i++) {
        int pending = 0;
        if (s->fd[i] >= 0 && ioctl(s->fd[i], FIONREAD, &pending) == 0 && pending > 0) s->drain_left[i] = (size_t)pending;
    }
    maybe_finish(c);
    return 1;
}

long long session_timers(struct conn *c) {
    struct session *s = c->session;
    if (!s) return -1;
    long long now = now_ms();
    if (s->deadline && !s->exited && now >= s->deadline) {
        kill(-s->pid, SIGKILL);
        kill(s->pid, SIGKILL);
        s->timed_out = 1;
        s->deadline = 0;
    }
    maybe_finish(c);
    s = c->session;
    if (!s) return -1;
    if (s->exited) {
        long long wait = s->exited_at + DRAIN_AFTER_EXIT_MS - now;
        return wait > 0 ? wait : 10;
    }
    if (s->in_fd >= 0 && s->in_closing && s->in_len == 0) return 10; /* a ^D the terminal did not take yet */
    return s->deadline ? s->deadline - now : -1;
}

void session_hangup(struct conn *c) {
    struct session *s = c->session;
    if (!s) return;
    c->session = NULL;
    if (!s->exited || kill(-s->pid, 0) == 0) {
        kill(-s->pid, SIGHUP);
        kill(-s->pid, SIGCONT); /* a stopped process (^Z) handles SIGHUP only once it runs */
        if (dying_n < MAX_DYING) {
            dying[dying_n].pid = s->pid;
            dying[dying_n].kill_at = now_ms() + HANGUP_KILL_DELAY_MS;
            dying_n++;
        } else {
            kill(-s->pid, SIGKILL);
        }
    }
    session_free(s);
}
uint32_t session_id(const struct session *s) { return s->id; }
