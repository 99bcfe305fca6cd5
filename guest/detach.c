#define _GNU_SOURCE
#include "detach.h"

#include "base64.h"
#include "fields.h"
#include "frame.h"
#include "signals.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAIN_AFTER_EXIT_MS 100
#define RECORD_MAX_BYTES (1u << 20)

static const char *const stream_names[2] = { "stdout", "stderr" };

/* Removes the files of a session directory that never got a process, then the directory. */
static void remove_session_dir(const char *dir) {
    const char *names[] = { "lock", "stdout", "stderr", "info.json", "exit.json" };
    char path[4200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void report(int fd, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *format, ...) {
    char message[700];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    if (n > (int)sizeof message - 1) n = (int)sizeof message - 1;
    (void)!write(fd, message, (size_t)n);
}

struct log_sink {
    int fd;
    size_t written;
    int truncated;
    const char *dir;
    const char *name;
};

/* The first DETACHED_LOG_LIMIT bytes are kept; the rest is read and dropped, and <name>.truncated says so. */
static void log_write(struct log_sink *log, const char *bytes, size_t n) {
    size_t room = log->written < DETACHED_LOG_LIMIT ? DETACHED_LOG_LIMIT - log->written : 0;
    size_t take = n < room ? n : room;
    if (take > 0 && write_full(log->fd, bytes, take) == 0) log->written += take;
    if (take < n && !log->truncated) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.truncated", log->dir, log->name);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
        log->truncated = 1;
    }
}

static void write_info(const char *dir, const struct exec_spec *spec, uint32_t session, pid_t pid) {
    char started[32];
    rfc3339_now(started);
    struct jwriter w;
    jw_begin(&w);
    jw_int(&w, "session", session);
    struct jbuf command = { 0 };
    jbuf_str(&command, "[");
    for (char **a = spec->argv; *a; a++) {
        if (a != spec->argv) jbuf_str(&command, ",");
        jbuf_quoted(&command, *a, strlen(*a));
    }
    jbuf_str(&command, "]");
    jw_raw(&w, "command", command.data);
    jbuf_free(&command);
    jw_int(&w, "pid", pid);
    jw_cstring(&w, "started_at", started);
    jw_bool(&w, "tty", spec->tty);
    jw_end(&w);
    if (write_file_atomic(dir, "info.json", w.buf.data, w.buf.len) != 0)
        fprintf(stderr, "agent: cannot write %s/info.json: %s\n", dir, strerror(errno));
    jbuf_free(&w.buf);
}

static void write_exit(const char *dir, int status, int timed_out) {
    char ended[32];
    rfc3339_now(ended);
    struct jwriter w;
    jw_begin(&w);
    if (WIFSIGNALED(status)) {
        jw_int(&w, "exit_code", 128 + WTERMSIG(status));
        jw_int(&w, "signal", WTERMSIG(status));
    } else {
        jw_int(&w, "exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    if (timed_out) jw_bool(&w, "timed_out", 1);
    jw_cstring(&w, "ended_at", ended);
    jw_end(&w);
    if (write_file_atomic(dir, "exit.json", w.buf.data, w.buf.len) != 0)
        fprintf(stderr, "agent: cannot write %s/exit.json: %s\n", dir, strerror(errno));
    jbuf_free(&w.buf);
}

/* The keeper: runs the command, logs its output, records its end. Never returns. */
__attribute__((noreturn))
static void keeper(const struct exec_spec *spec, uint32_t session, long long timeout_ms, const char *dir, int report_fd) {
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); }
    close_fds_except(&report_fd, 1); /* the connection's port above all */

    char path[4200];
    snprintf(path, sizeof path, "%s/lock", dir);
    int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        report(report_fd, "126 cannot lock %s: %s", path, strerror(errno));
        remove_session_dir(dir);
        _exit(1);
    }
    struct log_sink logs[2];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, stream_names[i]);
        logs[i] = (struct log_sink){ open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), 0, 0, dir, stream_names[i] };
        if (logs[i].fd < 0) {
            report(report_fd, "126 cannot create %s: %s", path, strerror(errno));
            remove_session_dir(dir);
            _exit(1);
        }
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

    struct exec_process p;
    char message[600];
    int code;
    if (exec_start(spec, &p, message, sizeof message, &code) != 0) {
        report(report_fd, "%d %s", code, message);
        remove_session_dir(dir);
        _exit(1);
    }
    write_info(dir, spec, session, p.pid);
    report(report_fd, "0 %d", (int)p.pid);
    close(report_fd);
    if (p.in_fd >= 0) close(p.in_fd);

    int fds[2] = { p.out_fd, p.err_fd };
    long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0, exited_at = 0;
    int exited = 0, status = 0, timed_out = 0;
    size_t drain_left[2] = { 0, 0 };
    static char buf[65536];
    for (;;) {
        long long now = now_ms();
        if (deadline && !exited && now >= deadline) {
            kill(-p.pid, SIGKILL);
            timed_out = 1;
            deadline = 0;
        }
        if (exited && ((fds[0] < 0 && fds[1] < 0)
                       || (drain_left[0] == 0 && drain_left[1] == 0 && now - exited_at >= DRAIN_AFTER_EXIT_MS)))
            break;
        long long wait = exited ? exited_at + DRAIN_AFTER_EXIT_MS - now : deadline ? deadline - now : -1;
        if (exited && wait < 10) wait = 10;
        struct pollfd pfd[3] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 }, { sigfd, POLLIN, 0 } };
        if (poll(pfd, 3, (int)(wait > 60000 ? 60000 : wait)) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) { close(fds[i]); fds[i] = -1; drain_left[i] = 0; continue; }
            log_write(&logs[i == 0 || spec->tty ? 0 : 1], buf, (size_t)n);
            drain_left[i] = drain_left[i] > (size_t)n ? drain_left[i] - (size_t)n : 0;
        }
        if (sigfd >= 0 && (pfd[2].revents & POLLIN)) {
            struct signalfd_siginfo info;
            while (read(sigfd, &info, sizeof info) == sizeof info) {}
        }
        if (!exited && waitpid(p.pid, &status, WNOHANG) == p.pid) {
            exited = 1;
            exited_at = now_ms();
            for (int i = 0; i < 2; i++) {
                int pending = 0;
                if (fds[i] >= 0 && ioctl(fds[i], FIONREAD, &pending) == 0 && pending > 0) drain_left[i] = (size_t)pending;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 0) close(fds[i]);
        close(logs[i].fd);
    }
    write_exit(dir, status, timed_out);
    _exit(0);
}

int detach_start(const struct exec_spec *spec, uint32_t session, long long timeout_ms, pid_t *pid, char *error,
                 size_t size, int *code) {
    char dir[4096];
    state_session_dir(session, dir, sizeof dir);
    *code = 126;
    if (mkdir(dir, 0700) != 0) {
        snprintf(error, size, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(error, size, "cannot create a pipe: %s", strerror(errno));
        rmdir(dir);
        return -1;
    }
    pid_t middle = fork();
    if (middle == 0) {
        /* the keeper's parent exits at once, so the keeper is orphaned and outlives this connection */
        close(pipefd[0]);
        pid_t k = fork();
        if (k == 0) keeper(spec, session, timeout_ms, dir, pipefd[1]);
        _exit(k < 0 ? 1 : 0);
    }
    close(pipefd[1]);
    if (middle < 0) {
        snprintf(error, size, "cannot fork: %s", strerror(errno));
        close(pipefd[0]);
        rmdir(dir);
        return -1;
    }
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {}
    char message[700];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(pipefd[0], message + got, sizeof message - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (got == sizeof message - 1) break;
    }
    close(pipefd[0]);
    message[got] = 0;
    if (got == 0) {
        snprintf(error, size, "the keeper of session %u ended before starting it", session);
        remove_session_dir(dir);
        return -1;
    }
    char *text = strchr(message, ' ');
    int status = atoi(message);
    if (status != 0 || !text) {
        *code = status == 127 ? 127 : 126;
        snprintf(error, size, "%s", text ? text + 1 : message);
        return -1;
    }
    *pid = (pid_t)atoi(text + 1);
    return 0;
}

/* ---- reading the records ---- */

struct record {
    struct json_doc *info, *exit;
    int running;
    pid_t pid;
};

static void record_free(struct record *r) {
    json_doc_free(r->info);
    json_doc_free(r->exit);
}

/* Whether the keeper of dir still holds its lock. */
static int keeper_alive(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

static struct json_doc *read_json(const char *dir, const char *name) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *text = read_small_file(path, RECORD_MAX_BYTES, &len);
    if (!text) return NULL;
    struct json_doc *doc = json_parse(text, len, NULL);
    free(text);
    if (doc && json_root(doc)->type != JSON_OBJECT) { json_doc_free(doc); doc = NULL; }
    return doc;
}

/* 0 with the record of a detached session, -1 when there is none. */
static int record_read(uint32_t session, struct record *r) {
    char dir[4096];
    state_session_dir(session, dir, sizeof dir);
    memset(r, 0, sizeof *r);
    r->info = read_json(dir, "info.json");
    if (!r->info) return -1;
    long long pid = 0;
    json_integer(json_get(json_root(r->info), "pid"), 1, 0x7FFFFFFF, &pid);
    r->pid = (pid_t)pid;
    r->exit = read_json(dir, "exit.json");
    r->running = !r->exit && r->pid > 0 && keeper_alive(dir);
    return 0;
}

static void copy_member(struct jwriter *w, const struct json *from, const char *key) {
    const struct json *v = json_get(from, key);
    long long n;
    if (!v) return;
    if (v->type == JSON_STRING) jw_string(w, key, v->string, v->length);
    else if (v->type == JSON_BOOL) jw_bool(w, key, v->number != 0);
    else if (json_integer(v, -(1LL << 62), 1LL << 62, &n)) jw_int(w, key, n);
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

struct response handle_exec_list(const char *id, const struct json *request) {
    (void)request;
    char path[4096];
    snprintf(path, sizeof path, "%s/exec", state_dir());
    uint32_t *numbers = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char *end;
        unsigned long v = strtoul(e->d_name, &end, 10);
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end || v > 0xFFFFFFFFul) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            numbers = realloc(numbers, cap * sizeof *numbers);
            if (!numbers) { perror("agent: out of memory"); exit(70); }
        }
        numbers[n++] = (uint32_t)v;
    }
    if (d) closedir(d);
    qsort(numbers, n, sizeof *numbers, compare_u32);

    struct jbuf list = { 0 };
    jbuf_str(&list, "[");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        struct record r;
        if (record_read(numbers[i], &r) != 0) continue;
        const struct json *info = json_root(r.info);
        struct jwriter w;
        jw_begin(&w);
        jw_int(&w, "session", numbers[i]);
        const struct json *command = json_get(info, "command");
        struct jbuf argv = { 0 };
        jbuf_str(&argv, "[");
        for (size_t a = 0; command && command->type == JSON_ARRAY && a < command->length; a++) {
            const struct json *s = command->items[a];
            if (s->type != JSON_STRING) continue;
            if (argv.len > 1) jbuf_str(&argv, ",");
            jbuf_quoted(&argv, s->string, s->length);
        }
        jbuf_str(&argv, "]");
        jw_raw(&w, "command", argv.data);
        jbuf_free(&argv);
        jw_int(&w, "pid", r.pid);
        jw_bool(&w, "running", r.running);
        copy_member(&w, info, "started_at");
        if (r.exit) {
            const struct json *ex = json_root(r.exit);
            copy_member(&w, ex, "exit_code");
            copy_member(&w, ex, "signal");
            copy_member(&w, ex, "timed_out");
            copy_member(&w, ex, "ended_at");
        }
        jw_end(&w);
        if (!first) jbuf_str(&list, ",");
        first = 0;
        jbuf_append(&list, w.buf.data, w.buf.len);
        jbuf_free(&w.buf);
        record_free(&r);
    }
    jbuf_str(&list, "]");
    free(numbers);
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_raw(&w, "sessions", list.data);
    jbuf_free(&list);
    return response_finish(&w, 0);
}

static int session_field(const struct json *request, uint32_t *out, struct field_error *err) {
    long long n;
    if (field_int(request, "session", 1, 0xFFFFFFFFLL, 0, &n, err)) return -1;
    if (n == 0) { snprintf(err->message, sizeof err->message, "session is required"); return -1; }
    *out = (uint32_t)n;
    return 0;
}

struct response handle_exec_logs(const char *id, const struct json *request) {
    struct field_error err;
    uint32_t session;
    const char *stream;
    long long offset, max;
    if (session_field(request, &session, &err) || field_string(request, "stream", 0, &stream, &err)
        || field_int(request, "offset", 0, 1LL << 62, 0, &offset, &err)
        || field_int(request, "max", 1, 1LL << 62, EXEC_LOGS_DEFAULT_MAX, &max, &err))
        return error_response(id, "exec_logs: %s", err.message);
    if (!stream) stream = "stdout";
    if (strcmp(stream, "stdout") != 0 && strcmp(stream, "stderr") != 0)
        return error_response(id, "exec_logs: stream must be \"stdout\" or \"stderr\"");
    if (max > EXEC_LOGS_MAX) max = EXEC_LOGS_MAX;
    struct record r;
    if (record_read(session, &r) != 0) return error_response(id, "exec_logs: no detached session %u", session);
    char dir[4096], path[4200];
    state_session_dir(session, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, stream);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { record_free(&r); return error_response(id, "exec_logs: %s: %s", path, strerror(errno)); }
    struct stat st;
    fstat(fd, &st);
    size_t want = offset < st.st_size ? (size_t)(st.st_size - offset < max ? st.st_size - offset : max) : 0;
    unsigned char *bytes = xmalloc(want ? want : 1);
    ssize_t got = want ? pread(fd, bytes, want, offset) : 0;
    close(fd);
    if (got < 0) got = 0;
    size_t encoded_len;
    char *encoded = base64_encode(bytes, (size_t)got, &encoded_len);
    free(bytes);
    snprintf(path, sizeof path, "%s/%s.truncated", dir, stream);
    int truncated = access(path, F_OK) == 0;
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_string(&w, "content_base64", encoded, encoded_len);
    jw_int(&w, "offset", offset + got);
    jw_bool(&w, "eof", offset + got >= st.st_size);
    jw_bool(&w, "running", r.running);
    if (truncated) jw_bool(&w, "truncated", 1);
    free(encoded);
    record_free(&r);
    return response_finish(&w, 0);
}

struct response handle_exec_kill(const char *id, const struct json *request) {
    struct field_error err;
    uint32_t session;
    int sig;
    if (session_field(request, &session, &err) || field_signal(request, "signal", SIGTERM, &sig, &err))
        return error_response(id, "exec_kill: %s", err.message);
    struct record r;
    if (record_read(session, &r) != 0) return error_response(id, "exec_kill: no detached session %u", session);
    int running = r.running;
    pid_t pid = r.pid;
    record_free(&r);
    if (!running) return error_response(id, "exec_kill: session %u is not running", session);
    if (kill(-pid, sig) != 0 && kill(pid, sig) != 0)
        return error_response(id, "exec_kill: session %u: %s", session, strerror(errno));
    return ok_response(id, 0);
}
