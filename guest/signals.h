/* Signal names and numbers as the protocol spells them, and a clean signal state for children. */
#ifndef AGENT_SIGNALS_H
#define AGENT_SIGNALS_H

#include "fields.h"

/* A signal given as a number (1..64) or a name ("INT", "SIGINT", "int"); absent: fallback. */
int field_signal(const struct json *o, const char *key, int fallback, int *out, struct field_error *err);
/* In a child before exec: every signal unblocked and at its default action. */
void child_reset_signals(void);

#endif
