/* Runs a command with captured, bounded output and an optional timeout. */
#ifndef AGENT_RUN_H
#define AGENT_RUN_H

#include <stddef.h>

struct run_spec {
    char **argv;            /* NULL-terminated */
    const char *cwd;        /* NULL: the agent's */
    char **env;             /* NULL-terminated "K=V" overrides, or NULL */
    long long timeout_ms;   /* <= 0: none */
    size_t output_limit;    /* bytes kept per stream */
};

struct captured {
    char *data;
    size_t len;
    int truncated;
};

struct run_result {
    int exit_code;          /* the command's status, 128+N when killed by signal N, 127 when it cannot start */
    int timed_out;
    char *start_error;      /* malloc'd message when the command could not start, else NULL */
    struct captured out, err;
};

void run_command(const struct run_spec *spec, struct run_result *result);
void run_result_free(struct run_result *result);

#endif
