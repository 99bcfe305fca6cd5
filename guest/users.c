#define _GNU_SOURCE
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_BYTES 65536
#define MAX_ID 4294967294ull

struct passwd_entry {
    char name[256];
    unsigned long long uid, gid;
    char home[1024];
};

/* A decimal id (no sign, no spaces) up to MAX_ID. */
static int parse_id(const char *s, unsigned long long *out) {
    if (!*s || strlen(s) > 10) return 0;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > MAX_ID) return 0;
    *out = v;
    return 1;
}

/* Splits line at ':' into at most max fields (the last keeps the rest); returns the count. */
static int split(char *line, char **fields, int max) {
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == ':') { *p = 0; fields[n++] = p + 1; }
    }
    return n;
}

/* Calls visit(fields, count, ctx) for each line of path until it returns nonzero; lines over the bound are skipped. */
static int each_line(const char *path, int max_fields, int (*visit)(char **, int, void *), void *ctx) {
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    char *line = malloc(LINE_BYTES);
    int found = 0, skipping = 0;
    while (line && !found && fgets(line, LINE_BYTES, f)) {
        size_t len = strlen(line);
        int complete = len > 0 && line[len - 1] == '\n';
        if (skipping) { skipping = !complete; continue; }
        if (!complete && !feof(f)) { skipping = 1; continue; }
        if (complete) line[len - 1] = 0;
        if (line[0] == '#' || line[0] == 0) continue;
        char *fields[8];
        int n = split(line, fields, max_fields);
        found = visit(fields, n, ctx);
    }
    free(line);
    fclose(f);
    return found;
}

struct passwd_query {
    const char *name;          /* by name, or */
    unsigned long long uid;    /* by uid when name is NULL */
    struct passwd_entry *out;
};

static int visit_passwd(char **f, int n, void *ctx) {
    struct passwd_query *q = ctx;
    unsigned long long uid, gid;
    if (n < 7 || !parse_id(f[2], &uid) || !parse_id(f[3], &gid)) return 0;
    if (q->name ? strcmp(f[0], q->name) != 0 : uid != q->uid) return 0;
    snprintf(q->out->name, sizeof q->out->name, "%s", f[0]);
    snprintf(q->out->home, sizeof q->out->home, "%s", f[5]);
    q->out->uid = uid;
    q->out->gid = gid;
    return 1;
}

struct group_query {
    const char *name;          /* a group by name, or */
    unsigned long long gid;
    const char *member;        /* every group listing this member */
    struct user_ids *ids;
};

static int visit_group_by_name(char **f, int n, void *ctx) {
    struct group_query *q = ctx;
    unsigned long long gid;
    if (n < 3 || !parse_id(f[2], &gid) || strcmp(f[0], q->name) != 0) return 0;
    q->gid = gid;
    return 1;
}

static void add_group(struct user_ids *ids, gid_t gid) {
    for (int i = 0; i < ids->ngroups; i++) if (ids->groups[i] == gid) return;
    if (ids->ngroups < MAX_SUPPLEMENTARY_GROUPS) ids->groups[ids->ngroups++] = gid;
}

static int visit_group_members(char **f, int n, void *ctx) {
    struct group_query *q = ctx;
    unsigned long long gid;
    if (n < 4 || !parse_id(f[2], &gid)) return 0;
    char *save = NULL;
    for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
        if (strcmp(m, q->member) == 0) { add_group(q->ids, (gid_t)gid); break; }
    }
    return 0;
}

int user_resolve(const char *spec, struct user_ids *out, char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    char user[512], *group = NULL;
    if (strlen(spec) >= sizeof user) { snprintf(error, error_size, "user is too long"); return -1; }
    strcpy(user, spec);
    char *colon = strchr(user, ':');
    if (colon) { *colon = 0; group = colon + 1; }
    if (!user[0] || (group && !group[0])) {
        snprintf(error, error_size, "user must be NAME, UID, NAME:GROUP or UID:GID");
        return -1;
    }

    struct passwd_entry pw;
    unsigned long long uid;
    int numeric = parse_id(user, &uid);
    struct passwd_query pq = { numeric ? NULL : user, uid, &pw };
    int known = each_line("/etc/passwd", 7, visit_passwd, &pq);
    if (!numeric && !known) {
        snprintf(error, error_size, "unknown user %.200s", user);
        return -1;
    }
    out->uid = (uid_t)(known ? pw.uid : uid);
    out->gid = known ? (gid_t)pw.gid : 0;
    snprintf(out->name, sizeof out->name, "%s", known ? pw.name : user);
    snprintf(out->home, sizeof out->home, "%s", known && pw.home[0] ? pw.home : "/root");

    if (group) {
        unsigned long long gid;
        if (parse_id(group, &gid)) {
            out->gid = (gid_t)gid;
        } else {
            struct group_query gq = { .name = group };
            if (!each_line("/etc/group", 4, visit_group_by_name, &gq)) {
                snprintf(error, error_size, "unknown group %.200s", group);
                return -1;
            }
            out->gid = (gid_t)gq.gid;
        }
    }
    add_group(out, out->gid);
    /* as docker (runc): a user's supplementary groups apply only when no group is given explicitly */
    if (known && !group) {
        struct group_query gq = { .member = pw.name, .ids = out };
        each_line("/etc/group", 4, visit_group_members, &gq);
    }
    return 0;
}
