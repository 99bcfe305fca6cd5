#define _GNU_SOURCE
#include "copy_out.h"

#include "copy_entry.h"
#include "fields.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct dir_frame {
    char **names;
    size_t count, next;
    size_t prefix_len;        /* length of the directory's relative path in `path` (0 for the root) */
};

struct link_slot {
    dev_t dev;
    ino_t ino;
    char *path;               /* NULL: empty slot */
};

struct copy_out {
    uint32_t id;
    int parent_fd;            /* the root entry is (parent_fd, root_name) */
    char *root_name;
    int root_fd;              /* the root directory, when the root is one: entries below are relative to it */
    int root_sent;
    struct dir_frame *stack;
    size_t depth, cap;
    char path[COPY_MAX_PATH + 1];
    int file_fd;              /* the file whose data is being sent */
    off_t file_size, file_pos, data_end;
    uint64_t entries, bytes;
    struct link_slot *links;  /* (dev, ino) of files with several links -> the first path sent */
    size_t links_cap, links_used;
    struct jbuf skipped;      /* JSON array members */
    size_t skipped_count;
};

static void free_frame(struct dir_frame *f) {
    for (size_t i = 0; i < f->count; i++) free(f->names[i]);
    free(f->names);
}

static void copy_out_free(struct copy_out *o) {
    while (o->depth > 0) free_frame(&o->stack[--o->depth]);
    free(o->stack);
    if (o->file_fd >= 0) close(o->file_fd);
    if (o->root_fd >= 0) close(o->root_fd);
    if (o->parent_fd >= 0) close(o->parent_fd);
    for (size_t i = 0; i < o->links_cap; i++) free(o->links[i].path);
    free(o->links);
    free(o->root_name);
    jbuf_free(&o->skipped);
    free(o);
}

void copy_out_abandon(struct conn *c) {
    if (c->copy_out) copy_out_free(c->copy_out);
    c->copy_out = NULL;
}

void copy_out_start(struct conn *c, const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    if (c->copy_out) { conn_error(c, id, "busy: copy %u is being sent on this connection", c->copy_out->id); return; }
    if (field_string(request, "path", 1, &path, &err)) { conn_error(c, id, "copy_out: %s", err.message); return; }
    char *parent, *name;
    if (copy_split_root(path, &parent, &name) != 0) { conn_error(c, id, "copy_out: path must be absolute"); return; }
    int parent_fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (parent_fd < 0 || fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        conn_error(c, id, "copy_out %s: %s", path, strerror(errno));
        if (parent_fd >= 0) close(parent_fd);
        free(parent);
        free(name);
        return;
    }
    free(parent);
    struct copy_out *o = xcalloc(1, sizeof *o);
    o->id = c->next_copy++;
    o->parent_fd = parent_fd;
    o->root_name = name;
    o->root_fd = -1;
    o->file_fd = -1;
    jbuf_str(&o->skipped, "[");
    c->copy_out = o;
    const char *kind = S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ? "file"
                     : S_ISFIFO(st.st_mode) ? "fifo" : S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block"
                     : "socket";
    struct jwriter w;
    jw_begin(&w);
    jw_cstring(&w, "id", id);
    jw_int(&w, "exit_code", 0);
    jw_int(&w, "copy", o->id);
    jw_cstring(&w, "kind", kind);
    conn_send(c, &w);
}

static void skip(struct copy_out *o, const char *rel, const char *why) {
    o->skipped_count++;
    if (o->skipped_count > COPY_MAX_SKIPPED) return;
    char text[COPY_MAX_PATH + 200];
    snprintf(text, sizeof text, "%s: %s", rel, why);
    if (o->skipped.len > 1) jbuf_str(&o->skipped, ",");
    jbuf_quoted(&o->skipped, text, strlen(text));
}

/* The first path sent for this inode, or NULL after remembering rel for it. */
static const char *link_seen(struct copy_out *o, const struct stat *st, const char *rel) {
    if (o->links_used * 2 >= o->links_cap) {
        size_t cap = o->links_cap ? o->links_cap * 2 : 256;
        struct link_slot *grown = xcalloc(cap, sizeof *grown);
        for (size_t i = 0; i < o->links_cap; i++) {
            if (!o->links[i].path) continue;
            size_t h = ((size_t)o->links[i].ino * 31 + (size_t)o->links[i].dev) & (cap - 1);
            while (grown[h].path) h = (h + 1) & (cap - 1);
            grown[h] = o->links[i];
        }
        free(o->links);
        o->links = grown;
        o->links_cap = cap;
    }
    size_t h = ((size_t)st->st_ino * 31 + (size_t)st->st_dev) & (o->links_cap - 1);
    while (o->links[h].path) {
        if (o->links[h].ino == st->st_ino && o->links[h].dev == st->st_dev) return o->links[h].path;
        h = (h + 1) & (o->links_cap - 1);
    }
    o->links[h] = (struct link_slot){ st->st_dev, st->st_ino, xstrdup(rel) };
    o->links_used++;
    return NULL;
}

static void begin_entry(struct jwriter *w, struct copy_out *o, const char *rel, const char *kind, const struct stat *st) {
    jw_begin(w);
    jw_cstring(w, "event", "entry");
    jw_int(w, "copy", o->id);
    jw_cstring(w, "path", rel);
    jw_cstring(w, "kind", kind);
    jw_int(w, "mode", st->st_mode & 07777);
    jw_int(w, "uid", st->st_uid);
    jw_int(w, "gid", st->st_gid);
    jw_int(w, "mtime", (long long)st->st_mtim.tv_sec);
    jw_int(w, "mtime_nsec", st->st_mtim.tv_nsec);
}

/* Reads a directory's names, sorted (the order of the copy is then the same every time). */
static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int push_dir(struct copy_out *o, int fd, size_t prefix_len) {
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return -1; }
    struct dir_frame f = { NULL, 0, 0, prefix_len };
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (f.count == cap) {
            cap = cap ? cap * 2 : 32;
            f.names = realloc(f.names, cap * sizeof *f.names);
            if (!f.names) { perror("agent: out of memory"); exit(70); }
        }
        f.names[f.count++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(f.names, f.count, sizeof *f.names, compare_names);
    if (o->depth == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->stack = realloc(o->stack, o->cap * sizeof *o->stack);
        if (!o->stack) { perror("agent: out of memory"); exit(70); }
    }
    o->stack[o->depth++] = f;
    return 0;
}

/* Sends the entry at (at_fd, at_name) whose relative path is rel (o->path holds rel below the root). */
static void send_entry(struct conn *c, struct copy_out *o, int at_fd, const char *at_name, const char *rel) {
    struct stat st;
    if (fstatat(at_fd, at_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { skip(o, rel, strerror(errno)); return; }
    struct jwriter w;
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        const char *first = link_seen(o, &st, rel);
        if (first) {
            begin_entry(&w, o, rel, "hardlink", &st);
            jw_cstring(&w, "target", first);
            conn_send(c, &w);
            o->entries++;
            return;
        }
    }
    if (S_ISREG(st.st_mode)) {
        int fd = openat(at_fd, at_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat now;
        if (fd < 0 || fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_ino != st.st_ino) {
            skip(o, rel, fd < 0 ? strerror(errno) : "changed while it was read");
            if (fd >= 0) close(fd);
            return;
        }
        begin_entry(&w, o, rel, "file", &st);
        jw_int(&w, "size", (long long)st.st_size);
        conn_send(c, &w);
        o->file_fd = fd;
        o->file_size = st.st_size;
        o->file_pos = 0;
        o->data_end = 0;
    } else if (S_ISDIR(st.st_mode)) {
        int fd = openat(at_fd, at_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) { skip(o, rel, strerror(errno)); return; }
        begin_entry(&w, o, rel, "dir", &st);
        conn_send(c, &w);
        if (strcmp(rel, ".") == 0) {
            o->root_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
            push_dir(o, fd, 0);
        } else {
            push_dir(o, fd, strlen(rel));
        }
    } else if (S_ISLNK(st.st_mode)) {
        char target[COPY_MAX_PATH + 1];
        ssize_t n = readlinkat(at_fd, at_name, target, sizeof target);
        if (n < 0 || (size_t)n >= sizeof target) { skip(o, rel, n < 0 ? strerror(errno) : "target too long"); return; }
        target[n] = 0;
        if (!utf8_valid(target, (size_t)n)) { skip(o, rel, "symlink target is not UTF-8"); return; }
        begin_entry(&w, o, rel, "symlink", &st);
        jw_string(&w, "target", target, (size_t)n);
        conn_send(c, &w);
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        begin_entry(&w, o, rel, S_ISFIFO(st.st_mode) ? "fifo" : S_ISCHR(st.st_mode) ? "char" : "block", &st);
        if (!S_ISFIFO(st.st_mode)) {
            jw_int(&w, "rdev_major", major(st.st_rdev));
            jw_int(&w, "rdev_minor", minor(st.st_rdev));
        }
        conn_send(c, &w);
    } else {
        skip(o, rel, "a socket");
        return;
    }
    o->entries++;
}

/* One data frame of the current file: the next data range found with SEEK_DATA/SEEK_HOLE. */
static void send_data(struct conn *c, struct copy_out *o) {
    static unsigned char buf[DATA_CHUNK_BYTES];
    if (o->file_pos >= o->data_end) {
        off_t data = lseek(o->file_fd, o->file_pos, SEEK_DATA);
        if (data < 0 && errno == ENXIO) {
            data = o->file_size; /* the rest is a hole */
        } else if (data < 0) {
            data = o->file_pos; /* no hole support here: all of it is data */
            o->data_end = o->file_size;
        }
        if (data >= 0 && o->data_end < o->file_size) {
            off_t hole = data < o->file_size ? lseek(o->file_fd, data, SEEK_HOLE) : o->file_size;
            o->data_end = hole < 0 || hole > o->file_size ? o->file_size : hole;
        }
        o->file_pos = data;
    }
    ssize_t n = 0;
    if (o->file_pos < o->file_size) {
        off_t want = o->data_end - o->file_pos;
        if (want > (off_t)sizeof buf) want = (off_t)sizeof buf;
        do n = pread(o->file_fd, buf, (size_t)want, o->file_pos); while (n < 0 && errno == EINTR);
    }
    if (n <= 0) { /* the end, or a file that shrank: the rest is a hole */
        close(o->file_fd);
        o->file_fd = -1;
        return;
    }
    outq_data(&c->out, DATA_FILE, o->id, (uint64_t)o->file_pos, buf, (size_t)n);
    o->file_pos += n;
    o->bytes += (uint64_t)n;
}

static void send_end(struct conn *c, struct copy_out *o) {
    struct jwriter w;
    jw_begin(&w);
    jw_cstring(&w, "event", "copy_end");
    jw_int(&w, "copy", o->id);
    jw_int(&w, "entries", (long long)o->entries);
    jw_int(&w, "bytes", (long long)o->bytes);
    if (o->skipped_count) {
        jbuf_str(&o->skipped, "]");
        jw_raw(&w, "skipped", o->skipped.data);
        if (o->skipped_count > COPY_MAX_SKIPPED) jw_int(&w, "skipped_count", (long long)o->skipped_count);
    }
    conn_send(c, &w);
}

void copy_out_pump(struct conn *c) {
    struct copy_out *o = c->copy_out;
    if (!o) return;
    if (o->file_fd >= 0) { send_data(c, o); return; }
    if (!o->root_sent) {
        o->root_sent = 1;
        send_entry(c, o, o->parent_fd, o->root_name, ".");
        return;
    }
    if (o->depth == 0) {
        send_end(c, o);
        copy_out_abandon(c);
        return;
    }
    struct dir_frame *top = &o->stack[o->depth - 1];
    if (top->next == top->count) {
        free_frame(top);
        o->depth--;
        return;
    }
    const char *name = top->names[top->next++];
    size_t len = strlen(name), at = top->prefix_len;
    if (at + (at ? 1 : 0) + len > COPY_MAX_PATH) {
        o->path[at] = 0;
        skip(o, name, "path too long");
        return;
    }
    if (at) o->path[at++] = '/';
    memcpy(o->path + at, name, len + 1);
    if (!utf8_valid(name, len)) {
        /* skipped with its name made printable: invalid bytes become U+FFFD in the JSON string */
        skip(o, o->path, "name is not UTF-8");
        return;
    }
    send_entry(c, o, o->root_fd, o->path, o->path);
}
