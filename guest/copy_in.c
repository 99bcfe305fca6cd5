#define _GNU_SOURCE
#include "copy_in.h"

#include "copy_entry.h"
#include "fields.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_MTIME (1LL << 40)    /* seconds either side of 1970: ~35,000 years */

struct dir_meta {
    char *rel;
    mode_t mode;
    struct timespec mtime;
};

struct copy_in {
    uint32_t id;
    int parent_fd;               /* the root entry "." is (parent_fd, root_name) */
    char *root_name;
    char *final_name;            /* staged: root_name is a temporary name, renamed to this at a good copy_end */
    int committed;
    int root_fd;                 /* the root directory once made; -1 before, or when the root is not one */
    int root_done;
    int cache_fd;                /* the directory of the last entry, by its relative path */
    char *cache_rel;
    int file_fd;                 /* the file receiving data, and what it gets when it is complete */
    char *file_rel;
    uint64_t file_size, file_next;
    long long uid, gid;
    mode_t mode;
    struct timespec mtime;
    struct dir_meta *dirs;       /* directories, in the order made: modes and mtimes are set last, deepest first */
    size_t ndirs, dirs_cap;
    uint64_t entries, bytes;
    int failed;
    char error[1200];
};

__attribute__((format(printf, 2, 3)))
static void fail(struct copy_in *ci, const char *format, ...) {
    if (ci->failed) return;
    ci->failed = 1;
    va_list ap;
    va_start(ap, format);
    vsnprintf(ci->error, sizeof ci->error, format, ap);
    va_end(ap);
    if (ci->file_fd >= 0) close(ci->file_fd);
    ci->file_fd = -1;
}

static void drop_cache(struct copy_in *ci) {
    if (ci->cache_fd >= 0) close(ci->cache_fd);
    ci->cache_fd = -1;
    free(ci->cache_rel);
    ci->cache_rel = NULL;
}

/* Removes (dfd, name) and everything under it, never following a symlink. */
static void remove_tree(int dfd, const char *name, int depth) {
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (S_ISDIR(st.st_mode) && depth < 512) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (d) {
            for (struct dirent *e; (e = readdir(d));) {
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) remove_tree(fd, e->d_name, depth + 1);
            }
            closedir(d);
        } else if (fd >= 0) {
            close(fd);
        }
        unlinkat(dfd, name, AT_REMOVEDIR);
    } else {
        unlinkat(dfd, name, 0);
    }
}

static void copy_in_free(struct copy_in *ci) {
    if (ci->final_name && !ci->committed && ci->parent_fd >= 0) remove_tree(ci->parent_fd, ci->root_name, 0);
    free(ci->final_name);
    if (ci->file_fd >= 0) close(ci->file_fd);
    if (ci->root_fd >= 0) close(ci->root_fd);
    if (ci->parent_fd >= 0) close(ci->parent_fd);
    drop_cache(ci);
    for (size_t i = 0; i < ci->ndirs; i++) free(ci->dirs[i].rel);
    free(ci->dirs);
    free(ci->file_rel);
    free(ci->root_name);
    free(ci);
}

void copy_in_abandon(struct conn *c) {
    if (c->copy_in) copy_in_free(c->copy_in);
    c->copy_in = NULL;
}

void copy_in_start(struct conn *c, const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    if (c->copy_in) { conn_error(c, id, "busy: copy %u is being received on this connection", c->copy_in->id); return; }
    if (field_string(request, "path", 1, &path, &err)) { conn_error(c, id, "copy_in: %s", err.message); return; }
    char *parent, *name;
    if (copy_split_root(path, &parent, &name) != 0) { conn_error(c, id, "copy_in: path must be absolute"); return; }
    int parent_fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (parent_fd < 0) {
        conn_error(c, id, "copy_in %s: its parent directory %s: %s", path, parent, strerror(errno));
        free(parent);
        free(name);
        return;
    }
    free(parent);
    int staged;
    if (field_bool(request, "staged", 0, &staged, &err)) {
        conn_error(c, id, "copy_in: %s", err.message);
        close(parent_fd);
        free(name);
        return;
    }
    struct copy_in *ci = xcalloc(1, sizeof *ci);
    ci->id = c->next_copy++;
    ci->parent_fd = parent_fd;
    ci->root_name = name;
    if (staged && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
        /* built beside its place under a name of this agent and copy, renamed onto it at copy_end */
        char temp[96];
        snprintf(temp, sizeof temp, ".agentkernel-copy-%ld-%u", (long)getpid(), (unsigned)ci->id);
        ci->final_name = name;
        ci->root_name = xstrdup(temp);
        remove_tree(parent_fd, temp, 0); /* a leftover of an earlier agent with this pid */
    }
    ci->root_fd = ci->cache_fd = ci->file_fd = -1;
    c->copy_in = ci;
    struct jwriter w;
    jw_begin(&w);
    jw_cstring(&w, "id", id);
    jw_int(&w, "exit_code", 0);
    jw_int(&w, "copy", ci->id);
    conn_send(c, &w);
}

/*
 * The directory that holds rel and rel's last component, found from the root one component at a time without
 * following symlinks. Returns the directory (owned by ci: not to be closed), or -1 with errno.
 */
static int resolve(struct copy_in *ci, const char *rel, const char **name) {
    if (strcmp(rel, ".") == 0) { *name = ci->root_name; return ci->parent_fd; }
    if (ci->root_fd < 0) { errno = ENOTDIR; return -1; }
    const char *slash = strrchr(rel, '/');
    if (!slash) { *name = rel; return ci->root_fd; }
    *name = slash + 1;
    size_t dir_len = (size_t)(slash - rel);
    if (ci->cache_rel && strlen(ci->cache_rel) == dir_len && memcmp(ci->cache_rel, rel, dir_len) == 0) return ci->cache_fd;
    drop_cache(ci);
    char dir[COPY_MAX_PATH + 1];
    memcpy(dir, rel, dir_len);
    dir[dir_len] = 0;
    int fd = ci->root_fd;
    char *save = NULL;
    for (char *part = strtok_r(dir, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        int next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (fd != ci->root_fd) close(fd);
        if (next < 0) { errno = e == ELOOP ? ENOTDIR : e; return -1; }
        fd = next;
    }
    if (fd == ci->root_fd) { errno = EINVAL; return -1; }
    ci->cache_fd = fd;
    ci->cache_rel = xmalloc(dir_len + 1);
    memcpy(ci->cache_rel, rel, dir_len);
    ci->cache_rel[dir_len] = 0;
    return fd;
}

/* Makes room for a non-directory at (dfd, name): whatever is there goes (an empty directory too). */
static int clear_place(int dfd, const char *name) {
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : -1;
    return unlinkat(dfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
}

static int set_owner(int dfd, const char *name, long long uid, long long gid) {
    if (uid < 0 && gid < 0) return 0;
    if (fchownat(dfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) == 0) return 0;
    return errno == EPERM && geteuid() != 0 ? 0 : -1; /* without root, files stay the agent's */
}

/* The file being received is complete: its size (a trailing hole), owner, mode, mtime. */
static void finish_file(struct copy_in *ci) {
    if (ci->file_fd < 0) return;
    int fd = ci->file_fd;
    ci->file_fd = -1;
    struct timespec times[2] = { ci->mtime, ci->mtime };
    int failed = ftruncate(fd, (off_t)ci->file_size) != 0;
    if (!failed && (ci->uid >= 0 || ci->gid >= 0) && fchown(fd, (uid_t)ci->uid, (gid_t)ci->gid) != 0
        && !(errno == EPERM && geteuid() != 0))
        failed = 1;
    if (!failed) failed = fchmod(fd, ci->mode) != 0 || futimens(fd, times) != 0;
    int e = errno;
    if (close(fd) != 0 && !failed) { failed = 1; e = errno; }
    if (failed) fail(ci, "%s: %s", ci->file_rel, strerror(e));
}

struct entry {
    const char *rel;
    int kind;
    long long mode, uid, gid, mtime, mtime_nsec, size, major, minor;
    const char *target;
};

static int parse_entry(const struct json *o, struct entry *e, struct field_error *err) {
    const char *path, *kind;
    if (field_string(o, "path", 1, &path, err) || field_string(o, "kind", 1, &kind, err)) return -1;
    if (!copy_path_valid(path, strlen(path), &e->rel)) {
        snprintf(err->message, sizeof err->message, "path must be '.' or a relative path without '..', '.' or empty parts");
        return -1;
    }
    if ((e->kind = copy_kind_parse(kind)) < 0) {
        snprintf(err->message, sizeof err->message, "kind must be file, dir, symlink, hardlink, fifo, char or block");
        return -1;
    }
    if (field_int(o, "mode", 0, 07777, e->kind == KIND_DIR ? 0755 : 0644, &e->mode, err)
        || field_int(o, "uid", 0, 4294967294LL, -1, &e->uid, err) || field_int(o, "gid", 0, 4294967294LL, -1, &e->gid, err)
        || field_int(o, "mtime", -MAX_MTIME, MAX_MTIME, 0, &e->mtime, err)
        || field_int(o, "mtime_nsec", 0, 999999999, 0, &e->mtime_nsec, err)
        || field_int(o, "size", 0, 1LL << 62, 0, &e->size, err)
        || field_int(o, "rdev_major", 0, 0xFFFFFFFFLL, 0, &e->major, err)
        || field_int(o, "rdev_minor", 0, 0xFFFFFFFFLL, 0, &e->minor, err)
        || field_string(o, "target", e->kind == KIND_SYMLINK || e->kind == KIND_HARDLINK, &e->target, err))
        return -1;
    if (e->target && (!e->target[0] || strlen(e->target) > COPY_MAX_PATH)) {
        snprintf(err->message, sizeof err->message, "target must be 1 to %d bytes", COPY_MAX_PATH);
        return -1;
    }
    return 0;
}

static void make_dir(struct copy_in *ci, const struct entry *e, int dfd, const char *name) {
    if (mkdirat(dfd, name, 0700) != 0) {
        struct stat st;
        if (errno != EEXIST || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) { fail(ci, "%s: %s", e->rel, strerror(errno)); return; }
        /* a directory merges; anything else (a symlink above all) is replaced */
        if (!S_ISDIR(st.st_mode) && (unlinkat(dfd, name, 0) != 0 || mkdirat(dfd, name, 0700) != 0)) {
            fail(ci, "%s: %s", e->rel, strerror(errno));
            return;
        }
    }
    if (set_owner(dfd, name, e->uid, e->gid) != 0) { fail(ci, "%s: %s", e->rel, strerror(errno)); return; }
    if (strcmp(e->rel, ".") == 0) {
        ci->root_fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ci->root_fd < 0) { fail(ci, ".: %s", strerror(errno)); return; }
    }
    if (ci->ndirs == ci->dirs_cap) {
        ci->dirs_cap = ci->dirs_cap ? ci->dirs_cap * 2 : 64;
        ci->dirs = realloc(ci->dirs, ci->dirs_cap * sizeof *ci->dirs);
        if (!ci->dirs) { perror("agent: out of memory"); exit(70); }
    }
    ci->dirs[ci->ndirs++] = (struct dir_meta){ xstrdup(e->rel), (mode_t)e->mode, { e->mtime, e->mtime_nsec } };
}

static void make_nondir(struct copy_in *ci, const struct entry *e, int dfd, const char *name) {
    struct timespec times[2] = { { e->mtime, e->mtime_nsec }, { e->mtime, e->mtime_nsec } };
    if (e->kind == KIND_HARDLINK) {
        const char *target_rel, *target_name;
        if (!copy_path_valid(e->target, strlen(e->target), &target_rel) || strcmp(target_rel, ".") == 0) {
            fail(ci, "%s: a hardlink's target must be the path of an earlier entry", e->rel);
            return;
        }
        int tdfd = resolve(ci, target_rel, &target_name);
        int tfd = tdfd < 0 ? -1 : fcntl(tdfd, F_DUPFD_CLOEXEC, 3); /* resolving the entry may replace the cache */
        if (tfd < 0) { fail(ci, "%s: target %s: %s", e->rel, e->target, strerror(errno)); return; }
        char *tname = xstrdup(target_name);
        dfd = resolve(ci, e->rel, &name);
        int ok = dfd >= 0 && clear_place(dfd, name) == 0 && linkat(tfd, tname, dfd, name, 0) == 0;
        int err = errno;
        close(tfd);
        free(tname);
        if (!ok) fail(ci, "%s: hard link to %s: %s", e->rel, e->target, strerror(err));
        return;
    }
    if (clear_place(dfd, name) != 0) {
        fail(ci, "%s: cannot replace what is there: %s", e->rel, strerror(errno));
        return;
    }
    int ok;
    if (e->kind == KIND_FILE) {
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) { fail(ci, "%s: %s", e->rel, strerror(errno)); return; }
        ci->file_fd = fd;
        free(ci->file_rel);
        ci->file_rel = xstrdup(e->rel);
        ci->file_size = (uint64_t)e->size;
        ci->file_next = 0;
        ci->uid = e->uid;
        ci->gid = e->gid;
        ci->mode = (mode_t)e->mode;
        ci->mtime = times[0];
        return;
    }
    if (e->kind == KIND_SYMLINK) {
        ok = symlinkat(e->target, dfd, name) == 0 && set_owner(dfd, name, e->uid, e->gid) == 0;
    } else {
        mode_t type = e->kind == KIND_FIFO ? S_IFIFO : e->kind == KIND_CHAR ? S_IFCHR : S_IFBLK;
        dev_t dev = e->kind == KIND_FIFO ? 0 : makedev((unsigned)e->major, (unsigned)e->minor);
        ok = mknodat(dfd, name, type | 0600, dev) == 0 && set_owner(dfd, name, e->uid, e->gid) == 0
             && fchmodat(dfd, name, (mode_t)e->mode, 0) == 0;
    }
    if (ok) ok = utimensat(dfd, name, times, AT_SYMLINK_NOFOLLOW) == 0;
    if (!ok) fail(ci, "%s: %s", e->rel, strerror(errno));
}

void copy_in_entry(struct conn *c, const struct json *o) {
    struct copy_in *ci = c->copy_in;
    long long copy;
    if (!ci || !json_integer(json_get(o, "copy"), 1, 0xFFFFFFFFLL, &copy) || (uint32_t)copy != ci->id) {
        fprintf(stderr, "agent: an entry for a copy that is not being received here is dropped\n");
        return;
    }
    if (ci->failed) return;
    finish_file(ci);
    if (ci->failed) return;
    struct field_error err;
    struct entry e;
    if (parse_entry(o, &e, &err) != 0) { fail(ci, "entry %llu: %s", (unsigned long long)ci->entries + 1, err.message); return; }
    int root = strcmp(e.rel, ".") == 0;
    if (root == ci->root_done) {
        fail(ci, "%s: %s", e.rel, root ? "the root entry '.' came twice" : "the first entry must be the root '.'");
        return;
    }
    if (!root && ci->root_fd < 0) { fail(ci, "%s: the copy's root is not a directory", e.rel); return; }
    if (root && e.kind == KIND_HARDLINK) { fail(ci, ".: the root cannot be a hard link"); return; }
    ci->root_done = 1;
    const char *name;
    int dfd = resolve(ci, e.rel, &name);
    if (dfd < 0) { fail(ci, "%s: its directory: %s", e.rel, strerror(errno)); return; }
    if (e.kind == KIND_DIR) make_dir(ci, &e, dfd, name);
    else make_nondir(ci, &e, dfd, name);
    if (!ci->failed) ci->entries++;
}

void copy_in_data(struct conn *c, uint32_t stream, uint64_t offset, const unsigned char *bytes, size_t n) {
    struct copy_in *ci = c->copy_in;
    if (!ci || stream != ci->id) {
        fprintf(stderr, "agent: data for a copy that is not being received here is dropped\n");
        return;
    }
    if (ci->failed) return;
    if (ci->file_fd < 0) { fail(ci, "data for copy %u outside a file entry", ci->id); return; }
    if (offset < ci->file_next || offset > ci->file_size || n > ci->file_size - offset) {
        fail(ci, "%s: data at offset %llu (%zu bytes) is out of order or beyond its size of %llu", ci->file_rel,
             (unsigned long long)offset, n, (unsigned long long)ci->file_size);
        return;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(ci->file_fd, bytes + done, n - done, (off_t)(offset + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { fail(ci, "%s: %s", ci->file_rel, w < 0 ? strerror(errno) : "short write"); return; }
        done += (size_t)w;
    }
    ci->file_next = offset + n;
    ci->bytes += n;
}

/* Directories get their modes and mtimes once their contents are in, the deepest first. */
static void finish_dirs(struct copy_in *ci) {
    for (size_t i = ci->ndirs; i-- > 0 && !ci->failed;) {
        const struct dir_meta *d = &ci->dirs[i];
        const char *name;
        int dfd = resolve(ci, d->rel, &name);
        int fd = dfd < 0 ? -1 : openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct timespec times[2] = { d->mtime, d->mtime };
        if (fd < 0 || fchmod(fd, d->mode) != 0 || futimens(fd, times) != 0) fail(ci, "%s: %s", d->rel, strerror(errno));
        if (fd >= 0) close(fd);
    }
}

void copy_in_end(struct conn *c, const char *id, const struct json *request) {
    struct copy_in *ci = c->copy_in;
    long long copy;
    struct field_error err;
    if (field_int(request, "copy", 1, 0xFFFFFFFFLL, 0, &copy, &err)) { conn_error(c, id, "copy_end: %s", err.message); return; }
    if (!ci || (uint32_t)copy != ci->id) { conn_error(c, id, "copy_end: no copy %lld is being received here", copy); return; }
    finish_file(ci);
    if (!ci->failed && !ci->root_done) fail(ci, "the copy had no entries");
    finish_dirs(ci);
    if (!ci->failed && ci->final_name) {
        if (renameat(ci->parent_fd, ci->root_name, ci->parent_fd, ci->final_name) != 0)
            fail(ci, "%s: cannot put the copy in place: %s", ci->final_name, strerror(errno));
        else
            ci->committed = 1;
    }
    if (ci->failed) {
        conn_error(c, id, "copy_in: %s", ci->error);
    } else {
        struct jwriter w;
        jw_begin(&w);
        jw_cstring(&w, "id", id);
        jw_int(&w, "exit_code", 0);
        jw_int(&w, "entries", (long long)ci->entries);
        jw_int(&w, "bytes", (long long)ci->bytes);
        conn_send(c, &w);
    }
    copy_in_abandon(c);
}
