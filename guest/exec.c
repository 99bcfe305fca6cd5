#define _GNU_SOURCE
#include "exec.h"

#include "pty.h"
#include "signals.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * The environment being built: entries "K=V" in order of first appearance, and an open-addressing index of
 * them by name, so a request's env of any size costs time in proportion to it (a linear search per name made
 * 100,000 names take minutes: the fuzz target's finding).
 */
struct env_list {
    char **items;
    size_t n, cap;
    size_t *slots;   /* index + 1 into items, 0 for an empty slot; a power of two, at most half full */
    size_t nslots;
};

static size_t name_hash(const char *key, size_t len) {
    size_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211u;
    return h;
}

static void env_index(struct env_list *l, size_t item) {
    const char *entry = l->items[item];
    size_t len = (size_t)(strchr(entry, '=') - entry);
    size_t mask = l->nslots - 1, i = name_hash(entry, len) & mask;
    while (l->slots[i]) i = (i + 1) & mask;
    l->slots[i] = item + 1;
}

static void env_set(struct env_list *l, const char *key, size_t key_len, const char *value) {
    char *entry;
    if (asprintf(&entry, "%.*s=%s", (int)key_len, key, value) < 0) { perror("agent: out of memory"); exit(70); }
    if (l->nslots) {
        size_t mask = l->nslots - 1;
        for (size_t i = name_hash(key, key_len) & mask; l->slots[i]; i = (i + 1) & mask) {
            char **old = &l->items[l->slots[i] - 1];
            if (strncmp(*old, key, key_len) == 0 && (*old)[key_len] == '=') {
                free(*old);
                *old = entry;
                return;
            }
        }
    }
    if (l->n + 1 >= l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        if (!l->items) { perror("agent: out of memory"); exit(70); }
    }
    l->items[l->n++] = entry;
    l->items[l->n] = NULL;
    if (2 * l->n > l->nslots) {
        free(l->slots);
        l->nslots = l->nslots ? l->nslots * 2 : 128;
        l->slots = calloc(l->nslots, sizeof *l->slots);
        if (!l->slots) { perror("agent: out of memory"); exit(70); }
        for (size_t i = 0; i < l->n; i++) env_index(l, i);
    } else {
        env_index(l, l->n - 1);
    }
}

void exec_env_free(char **env) {
    for (char **e = env; e && *e; e++) free(*e);
    free(env);
}

char **exec_environment(const struct json *env, const struct user_ids *user, int tty, struct field_error *err) {
    if (env && env->type != JSON_NULL && env->type != JSON_OBJECT) {
        snprintf(err->message, sizeof err->message, "env must be an object of strings");
        return NULL;
    }
    size_t given = env && env->type == JSON_OBJECT ? env->length : 0;
    for (size_t i = 0; i < given; i++) {
        const char *key = env->keys[i];
        const struct json *v = env->items[i];
        if (!key[0] || strchr(key, '=') || v->type != JSON_STRING || strlen(v->string) != v->length) {
            snprintf(err->message, sizeof err->message,
                     "env must map names (not empty, without '=') to strings without NUL characters");
            return NULL;
        }
    }
    struct env_list l = { 0 };
    env_set(&l, "HOME", 4, "/root"); /* first, so the list is never empty */
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq && eq != *e) env_set(&l, *e, (size_t)(eq - *e), eq + 1);
    }
    env_set(&l, "HOME", 4, user ? user->home : "/root");
    if (user) {
        env_set(&l, "USER", 4, user->name);
        env_set(&l, "LOGNAME", 7, user->name);
    }
    if (tty && !json_get(env, "TERM")) env_set(&l, "TERM", 4, "xterm-256color");
    for (size_t i = 0; i < given; i++) env_set(&l, env->keys[i], strlen(env->keys[i]), env->items[i]->string);
    free(l.slots);
    return l.items;
}

/* In the child: reports "CODE message" through report_fd and exits. */
__attribute__((noreturn, format(printf, 3, 4)))
static void child_fail(int report_fd, int code, const char *format, ...) {
    char message[600];
    int n = snprintf(message, sizeof message, "%d ", code);
    va_list ap;
    va_start(ap, format);
    n += vsnprintf(message + n, sizeof message - (size_t)n, format, ap);
    va_end(ap);
    if (n > (int)sizeof message - 1) n = (int)sizeof message - 1;
    (void)!write(report_fd, message, (size_t)n);
    _exit(code);
}

__attribute__((noreturn))
static void child(const struct exec_spec *spec, const char *slave, int in, int out, int err, int report_fd) {
    child_reset_signals();
    setsid();
    if (spec->tty) {
        if (pty_attach_child(slave, spec->user ? spec->user->uid : 0) != 0)
            child_fail(report_fd, 126, "cannot open the terminal %s: %s", slave, strerror(errno));
    } else if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
        child_fail(report_fd, 126, "cannot set up stdin/stdout/stderr: %s", strerror(errno));
    }
    if (spec->user) {
        const struct user_ids *u = spec->user;
        if (setgroups((size_t)u->ngroups, u->groups) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0)
            child_fail(report_fd, 126, "cannot switch to user %s (uid %u, gid %u): %s", u->name, (unsigned)u->uid,
                       (unsigned)u->gid, strerror(errno));
    }
    const char *cwd = spec->cwd ? spec->cwd : "/";
    if (chdir(cwd) != 0) child_fail(report_fd, 126, "cannot change to directory %s: %s", cwd, strerror(errno));
    environ = spec->env; /* execvp searches the command's PATH, not the agent's */
    execvp(spec->argv[0], spec->argv);
    int e = errno;
    child_fail(report_fd, e == ENOENT ? 127 : 126, "cannot run %s: %s", spec->argv[0], strerror(e));
}

static void close_if(int fd) { if (fd >= 0) close(fd); }

int exec_start(const struct exec_spec *spec, struct exec_process *out, char *error, size_t size, int *code) {
    int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, report[2] = { -1, -1 };
    int master = -1;
    char slave[128] = "";
    *code = 126;
    if (pipe2(report, O_CLOEXEC) != 0) goto fail;
    if (spec->tty) {
        if (pty_open(&master, slave, sizeof slave, spec->rows, spec->cols) != 0) goto fail;
    } else {
        if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) goto fail;
        if (spec->stdin_pipe) {
            if (pipe2(in_pipe, O_CLOEXEC) != 0) goto fail;
        } else if ((in_pipe[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
            goto fail;
        }
    }
    pid_t pid = fork();
    if (pid < 0) goto fail;
    if (pid == 0) child(spec, slave, in_pipe[0], out_pipe[1], err_pipe[1], report[1]);
    close(report[1]);
    report[1] = -1;
    close_if(in_pipe[0]);
    close_if(out_pipe[1]);
    close_if(err_pipe[1]);
    in_pipe[0] = out_pipe[1] = err_pipe[1] = -1;

    /* the report pipe closes without a word when exec succeeds (it is close-on-exec) */
    char message[600];
    ssize_t n;
    do n = read(report[0], message, sizeof message - 1); while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n > 0) {
        message[n] = 0;
        char *text = strchr(message, ' ');
        *code = atoi(message) == 127 ? 127 : 126;
        snprintf(error, size, "%s", text ? text + 1 : message);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        close_if(master);
        close_if(in_pipe[1]);
        close_if(out_pipe[0]);
        close_if(err_pipe[0]);
        return -1;
    }
    out->pid = pid;
    if (spec->tty) {
        out->out_fd = master;
        out->err_fd = -1;
        out->in_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
    } else {
        set_nonblocking(out_pipe[0]);
        set_nonblocking(err_pipe[0]);
        out->out_fd = out_pipe[0];
        out->err_fd = err_pipe[0];
        out->in_fd = in_pipe[1];
        if (in_pipe[1] >= 0) set_nonblocking(in_pipe[1]);
    }
    return 0;

fail:
    snprintf(error, size, "cannot start %s: %s", spec->argv[0], strerror(errno));
    close_if(report[0]);
    close_if(report[1]);
    close_if(master);
    for (int i = 0; i < 2; i++) { close_if(in_pipe[i]); close_if(out_pipe[i]); close_if(err_pipe[i]); }
    return -1;
}
