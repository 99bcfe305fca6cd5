/* What copy_out and copy_in share: entry kinds, the rules for entry paths, limits. */
#ifndef AGENT_COPY_ENTRY_H
#define AGENT_COPY_ENTRY_H

#include <stddef.h>

#define COPY_MAX_PATH 4095        /* bytes of a relative path */
#define COPY_MAX_SKIPPED 1000     /* skipped entries named in copy_end (the count is exact) */

enum copy_kind { KIND_FILE, KIND_DIR, KIND_SYMLINK, KIND_HARDLINK, KIND_FIFO, KIND_CHAR, KIND_BLOCK, KIND_COUNT };

extern const char *const copy_kind_names[KIND_COUNT];

/* The kind named s, or -1. */
int copy_kind_parse(const char *s);
/*
 * Whether path is a valid entry path: "." or "a/b/c" (a leading "./" allowed), UTF-8, no NUL, no empty, "." or
 * ".." components, at most COPY_MAX_PATH bytes. *rel gets the path without a leading "./" ("." for the root).
 */
int copy_path_valid(const char *path, size_t len, const char **rel);
/* Splits an absolute path into its parent directory and last component ("/" gives "/" and "."). malloc'd. */
int copy_split_root(const char *path, char **parent, char **name);

#endif
