#define _GNU_SOURCE
#include "run.h"

#include "signals.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long to keep reading after the command exited, for output its background children still write. */
#define DRAIN_AFTER_EXIT_MS 100

static void capture(struct captured *c, const char *bytes, size_t n, size_t limit) {
    size_t room = c->len < limit ? limit - c->len : 0;
    size_t take = n < room ? n : room;
    if (take < n) c->truncated = 1;
    if (take == 0) return;
    char *grown = realloc(c->data, c->len + take + 1);
    if (!grown) { c->truncated = 1; return; }
    c->data = grown;
    memcpy(c->data + c->len, bytes, take);
    c->len += take;
    c->data[c->len] = 0;
}

extern char **environ;

/* In the child: never returns. Errors before exec go to the parent through report_fd as an errno text. */
static void exec_child(const struct run_spec *spec, int out_fd, int err_fd, int report_fd) {
    child_reset_signals();
    setsid(); /* its own process group, so a timeout kills everything it started */
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    char message[512];
    if (spec->cwd && chdir(spec->cwd) != 0) {
        int n = snprintf(message, sizeof message, "cannot change to directory %s: %s", spec->cwd, strerror(errno));
        (void)!write(report_fd, message, (size_t)n);
        _exit(127);
    }
    /* the whole environment at once, and execvp searches the command's PATH (a putenv per entry took time in
       the square of their number: 100,000 names, 30 s) */
    if (spec->env) environ = spec->env;
    execvp(spec->argv[0], spec->argv);
    int n = snprintf(message, sizeof message, "cannot run %s: %s", spec->argv[0], strerror(errno));
    (void)!write(report_fd, message, (size_t)n);
    _exit(127);
}

void run_command(const struct run_spec *spec, struct run_result *result) {
    memset(result, 0, sizeof *result);
    int out_pipe[2], err_pipe[2], report_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) || pipe2(report_pipe, O_CLOEXEC)) {
        result->exit_code = 127;
        result->start_error = strdup("cannot create pipes");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(out_pipe[0]); close(err_pipe[0]); close(report_pipe[0]);
        exec_child(spec, out_pipe[1], err_pipe[1], report_pipe[1]);
    }
    close(out_pipe[1]); close(err_pipe[1]); close(report_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]); close(err_pipe[0]); close(report_pipe[0]);
        result->exit_code = 127;
        result->start_error = strdup("cannot fork");
        return;
    }

    /* exec succeeded when the report pipe closes without data (it is close-on-exec) */
    char report[512];
    ssize_t reported;
    do reported = read(report_pipe[0], report, sizeof report - 1); while (reported < 0 && errno == EINTR);
    close(report_pipe[0]);
    if (reported > 0) {
        report[reported] = 0;
        result->start_error = strdup(report);
    }

    long long start = now_ms();
    long long exited_at = -1;
    int status = 0, have_status = 0;
    struct pollfd fds[2] = { { out_pipe[0], POLLIN, 0 }, { err_pipe[0], POLLIN, 0 } };
    struct captured *sinks[2] = { &result->out, &result->err };
    int open_count = 2;
    char buf[65536];
    while (open_count > 0) {
        long long now = now_ms();
        if (!have_status && spec->timeout_ms > 0 && now - start >= spec->timeout_ms) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            result->timed_out = 1;
        }
        if (!have_status && waitpid(pid, &status, WNOHANG) == pid) {
            have_status = 1;
            exited_at = now;
        }
        if (have_status && now - exited_at > DRAIN_AFTER_EXIT_MS) break;
        int ready = poll(fds, 2, 20);
        if (ready < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                capture(sinks[i], buf, (size_t)n, spec->output_limit);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_count--;
            }
        }
    }
    for (int i = 0; i < 2; i++) if (fds[i].fd >= 0) close(fds[i].fd);
    if (!have_status) {
        /* both streams closed: the command is exiting (or was killed); collect it */
        if (spec->timeout_ms > 0) {
            while (waitpid(pid, &status, WNOHANG) == 0) {
                if (now_ms() - start >= spec->timeout_ms) {
                    kill(-pid, SIGKILL); kill(pid, SIGKILL);
                    result->timed_out = 1;
                    waitpid(pid, &status, 0);
                    break;
                }
                usleep(10000);
            }
        } else {
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        }
    }
    if (result->timed_out) kill(-pid, SIGKILL); /* leftovers of its process group */
    if (result->start_error) result->exit_code = 127;
    else if (WIFEXITED(status)) result->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result->exit_code = 128 + WTERMSIG(status);
    else result->exit_code = 1;
}

void run_result_free(struct run_result *r) {
    free(r->start_error);
    free(r->out.data);
    free(r->err.data);
}
