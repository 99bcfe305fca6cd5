/*
 * The `user` of an exec: "NAME", "UID", "NAME:GROUP", "UID:GID" (or mixed), looked up in the guest's
 * /etc/passwd and /etc/group as `docker exec -u` does.
 */
#ifndef AGENT_USERS_H
#define AGENT_USERS_H

#include <sys/types.h>

#define MAX_SUPPLEMENTARY_GROUPS 1024

struct user_ids {
    uid_t uid;
    gid_t gid;
    char name[256];      /* for USER and LOGNAME: the passwd name, else the number */
    char home[1024];     /* the passwd home, else /root */
    gid_t groups[MAX_SUPPLEMENTARY_GROUPS]; /* supplementary groups (the primary one included) */
    int ngroups;
};

/* Resolves spec; returns 0, or -1 with `error` filled ("unknown user NAME"). */
int user_resolve(const char *spec, struct user_ids *out, char *error, size_t error_size);

#endif
