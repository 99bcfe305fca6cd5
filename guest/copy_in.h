/*
 * copy_in: a tree from the host, as entry objects and data frames (kind 4), written under the copy's path
 * without ever following a symlink inside it; owners, modes and mtimes as sent (directories' mtimes and
 * modes after their contents). After an error everything up to copy_end is read and dropped.
 */
#ifndef AGENT_COPY_IN_H
#define AGENT_COPY_IN_H

#include "conn.h"

void copy_in_start(struct conn *c, const char *id, const struct json *request);
void copy_in_entry(struct conn *c, const struct json *entry);
void copy_in_data(struct conn *c, uint32_t stream, uint64_t offset, const unsigned char *bytes, size_t n);
void copy_in_end(struct conn *c, const char *id, const struct json *request);
/* The host hung up: what was written stays, the rest is dropped. */
void copy_in_abandon(struct conn *c);

#endif
