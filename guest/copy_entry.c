#define _GNU_SOURCE
#include "copy_entry.h"

#include "json.h"
#include "util.h"

#include <string.h>

const char *const copy_kind_names[KIND_COUNT] = { "file", "dir", "symlink", "hardlink", "fifo", "char", "block" };

int copy_kind_parse(const char *s) {
    for (int i = 0; i < KIND_COUNT; i++) if (strcmp(s, copy_kind_names[i]) == 0) return i;
    return -1;
}

int copy_path_valid(const char *path, size_t len, const char **rel) {
    if (len == 0 || len > COPY_MAX_PATH || !utf8_valid(path, len)) return 0;
    if (strcmp(path, ".") == 0) { *rel = "."; return 1; }
    if (strncmp(path, "./", 2) == 0) { path += 2; len -= 2; }
    if (len == 0) return 0;
    const char *p = path, *end = path + len;
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash ? slash : end;
        size_t n = (size_t)(stop - p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
        if (!slash) break;
        p = slash + 1;
    }
    *rel = path;
    return 1;
}

int copy_split_root(const char *path, char **parent, char **name) {
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/') return -1;
    while (len > 1 && path[len - 1] == '/') len--;
    if (len == 1) { *parent = xstrdup("/"); *name = xstrdup("."); return 0; }
    size_t slash = len;
    while (path[slash - 1] != '/') slash--;
    *name = xmalloc(len - slash + 1);
    memcpy(*name, path + slash, len - slash);
    (*name)[len - slash] = 0;
    size_t plen = slash > 1 ? slash - 1 : 1;
    *parent = xmalloc(plen + 1);
    memcpy(*parent, path, plen);
    (*parent)[plen] = 0;
    return 0;
}
