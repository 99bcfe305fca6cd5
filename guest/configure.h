/* The configure request: per-sandbox state set by the host after a start or restore (docs/PROTOCOL.md). */
#ifndef AGENT_CONFIGURE_H
#define AGENT_CONFIGURE_H

#include "handlers.h"
#include "json.h"

struct response handle_configure(const char *id, const struct json *request);

#endif
