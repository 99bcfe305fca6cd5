#define _GNU_SOURCE
#include "signals.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; int number; } names[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL}, {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},
    {"IOT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO}, {"POLL", SIGIO}, {"PWR", SIGPWR}, {"SYS", SIGSYS},
};

int field_signal(const struct json *o, const char *key, int fallback, int *out, struct field_error *err) {
    const struct json *v = json_get(o, key);
    *out = fallback;
    if (!v || v->type == JSON_NULL) return 0;
    long long n;
    if (v->type == JSON_NUMBER) {
        if (!json_integer(v, 1, 64, &n)) {
            snprintf(err->message, sizeof err->message, "%s must be a signal number from 1 to 64", key);
            return -1;
        }
        *out = (int)n;
        return 0;
    }
    if (v->type == JSON_STRING) {
        const char *name = v->string;
        if (strncasecmp(name, "SIG", 3) == 0) name += 3;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcasecmp(name, names[i].name) == 0) { *out = names[i].number; return 0; }
        }
    }
    snprintf(err->message, sizeof err->message, "%s must be a signal name (TERM, INT, ...) or number", key);
    return -1;
}

void child_reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < 65; s++) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
