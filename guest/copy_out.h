/*
 * copy_out: a guest tree sent to the host as entry events and data frames (kind 4), depth first, without
 * following symlinks, hard links as `hardlink` entries, holes never sent; produced only while the output
 * queue has room, so a slow host slows the walk instead of filling memory.
 */
#ifndef AGENT_COPY_OUT_H
#define AGENT_COPY_OUT_H

#include "conn.h"

void copy_out_start(struct conn *c, const char *id, const struct json *request);
/* Queues the next piece of the copy (an entry, a data frame, or copy_end, which ends it). */
void copy_out_pump(struct conn *c);
/* The host hung up: the copy is dropped. */
void copy_out_abandon(struct conn *c);

#endif
