/* Starting a command for `exec`: environment, user, working directory, pipes or a terminal. */
#ifndef AGENT_EXEC_H
#define AGENT_EXEC_H

#include "fields.h"
#include "users.h"

#include <stddef.h>
#include <sys/types.h>

struct exec_spec {
    char **argv;                  /* NULL-terminated, not empty */
    char **env;                   /* the complete environment ("K=V"), NULL-terminated */
    const char *cwd;              /* NULL: "/" */
    const struct user_ids *user;  /* NULL: the agent's own */
    int tty;
    unsigned rows, cols;
    int stdin_pipe;               /* without tty: a pipe for stdin, else /dev/null */
};

struct exec_process {
    pid_t pid;       /* also its process group and session */
    int out_fd;      /* non-blocking read ends; with tty, out_fd is the terminal's master and err_fd is -1 */
    int err_fd;
    int in_fd;       /* non-blocking write end of stdin, or the master again; -1 without stdin */
};

/*
 * Starts the command and returns once it has executed (0), or -1 with `error` and `*code` (127: not found,
 * 126: not executable, bad directory or user) when it could not start; nothing is left running then.
 */
int exec_start(const struct exec_spec *spec, struct exec_process *out, char *error, size_t size, int *code);

/*
 * The environment of a command: the agent's, then HOME (the user's home, else /root), USER and LOGNAME when a
 * user is given, TERM=xterm-256color with a terminal, then the request's `env` object (which wins). Returns a
 * malloc'd array freed with exec_env_free, or NULL with err filled for an `env` that is not an object of strings.
 */
char **exec_environment(const struct json *env, const struct user_ids *user, int tty, struct field_error *err);
void exec_env_free(char **env);

#endif
