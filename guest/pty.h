/* Pseudo-terminals for `exec` with `tty`: the master stays in the agent, the slave becomes the process's terminal. */
#ifndef AGENT_PTY_H
#define AGENT_PTY_H

#include <stddef.h>
#include <sys/types.h>

/* Opens a pair sized rows x cols: *master is non-blocking and close-on-exec; slave_path names the slave. */
int pty_open(int *master, char *slave_path, size_t size, unsigned rows, unsigned cols);
/* TIOCSWINSZ: the terminal's foreground process group gets SIGWINCH. */
int pty_resize(int master, unsigned rows, unsigned cols);
/* In the child, after setsid: the slave becomes the controlling terminal and stdin/stdout/stderr, owned by uid. */
int pty_attach_child(const char *slave_path, uid_t uid);
/* The terminal's end-of-file character (VEOF, ^D unless changed), for stdin_close. */
unsigned char pty_eof_char(int master);

#endif
