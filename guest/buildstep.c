/*
 * The native builder's helpers, run by the host through an ordinary exec (no protocol of their own):
 *
 *   agent build-run -l LOWER[:LOWER...] -u UPPER -w WORK -m MERGED [-U USER] [-d CWD] [-H] -x META -- ARGV...
 *     Mounts an overlay (LOWER dirs top first, UPPER a fresh directory) at MERGED in a mount namespace of its
 *     own, runs ARGV chrooted into it as USER (looked up in the image's /etc/passwd) in CWD, in a PID namespace
 *     of its own (so nothing it started outlives it), with proc, sysfs and the guest's /dev mounted for it.
 *     Then it unmounts everything, removes the mount points it had to create, and writes to META what copy_out
 *     does not carry: the directories of UPPER that are opaque and the extended attributes of its entries.
 *     Exits with the command's status (128+N for signal N); 125 when the step could not be set up.
 *     With -H, HOME is set from the user's passwd entry (the image's Env has none); with -N the command gets a
 *     network namespace of its own with nothing in it (RUN --network=none).
 *     Each -B SRC -T TARGET pair (at most 8) bind-mounts the guest directory SRC at TARGET in the image for the
 *     command (RUN --mount=type=cache): TARGET is walked component by component without following symlinks
 *     (one there, or a non-directory, is an error), missing directories are made 0755, root; afterwards the
 *     mount point itself is removed if it was made for the step, the parents made for it stay (as Buildah
 *     does); what the command writes below TARGET goes to SRC, never to UPPER.
 *
 *   agent build-xattrs DIR META
 *     The inverse for a layer materialized by copy_in: sets what META lists on DIR's entries.
 *
 *   agent build-mount LABEL DIR
 *     Mounts the one block device (other than the root's) holding an ext4 file system labelled LABEL at DIR
 *     (made 0700): the build VM's scratch disk, where the layer directories live, since the 6.1 kernel's
 *     tmpfs has no user.* xattrs and ext4 has user and trusted ones. Found by label, not device name, because
 *     the device order is the monitor's business. Exits 0 when mounted (or when DIR already is that device).
 *
 * META is a sequence of NUL-terminated fields: "O", PATH (an opaque directory) or "X", PATH, NAME, HEXVALUE;
 * PATH is relative to UPPER ("." for itself). The overlay is mounted without redirect_dir, index and metacopy,
 * so the upper directory holds only whole files, whiteouts (0:0 character devices) and opaque markers.
 */
#define _GNU_SOURCE
#include "buildstep.h"
#include "users.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

extern char **environ;

#define SETUP_FAILED 125
#define OPAQUE_XATTR "trusted.overlay.opaque"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("agentkernel build: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(SETUP_FAILED);
}

static void mkdirs(const char *path) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) die("path too long: %s", path);
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) die("cannot create %s: %s", buf, strerror(errno));
}

/* ---- the metadata of an upper directory ---- */

static void put_field(FILE *out, const char *s) {
    fputs(s, out);
    fputc(0, out);
}

static void dump_xattrs(FILE *out, const char *full, const char *rel, int is_dir) {
    char names[65536];
    ssize_t n = llistxattr(full, names, sizeof names);
    if (n < 0) return; /* no xattrs or not supported: nothing to say */
    for (char *name = names; name < names + n; name += strlen(name) + 1) {
        if (strncmp(name, "trusted.overlay.", 16) == 0) {
            if (is_dir && strcmp(name, OPAQUE_XATTR) == 0) {
                char v[8];
                ssize_t len = lgetxattr(full, name, v, sizeof v);
                if (len == 1 && v[0] == 'y') { put_field(out, "O"); put_field(out, rel); }
            }
            continue;
        }
        unsigned char value[65536];
        ssize_t len = lgetxattr(full, name, value, sizeof value);
        if (len < 0) continue;
        char *hex = malloc((size_t)len * 2 + 1);
        if (!hex) die("out of memory");
        for (ssize_t i = 0; i < len; i++) sprintf(hex + 2 * i, "%02x", value[i]);
        hex[len * 2] = 0;
        put_field(out, "X"); put_field(out, rel); put_field(out, name); put_field(out, hex);
        free(hex);
    }
}

static void walk(FILE *out, const char *full, const char *rel, int depth) {
    struct stat st;
    if (lstat(full, &st) != 0) return;
    dump_xattrs(out, full, rel, S_ISDIR(st.st_mode));
    if (!S_ISDIR(st.st_mode) || depth > 4096) return;
    DIR *d = opendir(full);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t fl = strlen(full) + strlen(e->d_name) + 2, rl = strlen(rel) + strlen(e->d_name) + 2;
        char *f = malloc(fl), *r = malloc(rl);
        if (!f || !r) die("out of memory");
        snprintf(f, fl, "%s/%s", full, e->d_name);
        if (strcmp(rel, ".") == 0) snprintf(r, rl, "%s", e->d_name);
        else snprintf(r, rl, "%s/%s", rel, e->d_name);
        walk(out, f, r, depth + 1);
        free(f);
        free(r);
    }
    closedir(d);
}

static void write_meta(const char *upper, const char *meta) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", meta);
    FILE *out = fopen(tmp, "we");
    if (!out) die("cannot write %s: %s", tmp, strerror(errno));
    walk(out, upper, ".", 0);
    if (fclose(out) != 0 || rename(tmp, meta) != 0) die("cannot write %s: %s", meta, strerror(errno));
}

/* ---- build-run ---- */

struct mountpoint {
    const char *name;
    int created;
};

static void prepare_mountpoint(const char *merged, struct mountpoint *m) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", merged, m->name);
    struct stat st;
    if (lstat(path, &st) == 0) return; /* the image has it (a directory, one hopes; else the mount fails) */
    if (mkdir(path, 0755) != 0) die("cannot create %s: %s", path, strerror(errno));
    m->created = 1;
}

#define MAX_BINDS 8
#define MAX_DEPTH 64

struct bind {
    const char *src;
    const char *target;
    char path[4200];               /* MERGED/TARGET, free of symlinks once checked */
    int mounted;
    int made_leaf;
};

/* Makes MERGED/TARGET (no symlink followed on the way) and bind-mounts SRC there through its O_PATH fd. */
static void prepare_bind(const char *merged, struct bind *b) {
    int dir = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) die("cannot open %s: %s", merged, strerror(errno));
    char copy[4096];
    if (strlen(b->target) >= sizeof copy || b->target[0] != '/') die("bad cache mount target %s", b->target);
    strcpy(copy, b->target);
    snprintf(b->path, sizeof b->path, "%s", merged);
    int depth = 0;
    for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0) continue;
        if (strcmp(c, "..") == 0 || ++depth > MAX_DEPTH) die("bad cache mount target %s", b->target);
        size_t used = strlen(b->path);
        snprintf(b->path + used, sizeof b->path - used, "/%s", c);
        int next = openat(dir, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        b->made_leaf = 0;
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(dir, c, 0755) != 0) die("cannot create %s: %s", b->path, strerror(errno));
            b->made_leaf = 1;
            next = openat(dir, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0) {
            die("the cache mount target %s: %s is %s in the image", b->target, c,
                errno == ENOTDIR || errno == ELOOP ? "a symbolic link or not a directory" : strerror(errno));
        }
        close(dir);
        dir = next;
    }
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", dir);
    if (mount(b->src, fdpath, NULL, MS_BIND, NULL) != 0)
        die("cannot mount the cache at %s: %s", b->target, strerror(errno));
    b->mounted = 1;
    close(dir);
}

static void release_bind(struct bind *b) {
    if (b->mounted) umount2(b->path, MNT_DETACH);
    if (b->made_leaf) rmdir(b->path); /* only in the upper directory: no whiteout is left */
}

static void run_child(const char *merged, const char *user, const char *cwd, int set_home, char **argv) {
    signal(SIGPIPE, SIG_DFL); /* the agent ignores it; a build command must not inherit that */
    char path[4200];
    snprintf(path, sizeof path, "%s/proc", merged);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        die("cannot mount proc: %s", strerror(errno));
    if (chroot(merged) != 0 || chdir("/") != 0) die("cannot enter the build root: %s", strerror(errno));
    struct user_ids ids;
    char error[512];
    if (user_resolve(user && *user ? user : "0", &ids, error, sizeof error) != 0) die("%s", error);
    if (setgroups((size_t)ids.ngroups, ids.groups) != 0 || setgid(ids.gid) != 0 || setuid(ids.uid) != 0)
        die("cannot switch to user %s: %s", user, strerror(errno));
    if (set_home) setenv("HOME", ids.home, 1);
    if (chdir(cwd && *cwd ? cwd : "/") != 0) die("cannot change to directory %s: %s", cwd, strerror(errno));
    execvp(argv[0], argv);
    int e = errno;
    fprintf(stderr, "agentkernel build: cannot run %s: %s\n", argv[0], strerror(e));
    exit(e == ENOENT ? 127 : 126);
}

static int build_run(int argc, char **argv) {
    const char *lowers = NULL, *upper = NULL, *work = NULL, *merged = NULL, *user = NULL, *cwd = "/", *meta = NULL;
    int set_home = 0, no_network = 0, i = 2, nbinds = 0;
    static struct bind binds[MAX_BINDS];
    const char *pending_src = NULL;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) { i++; break; }
        if (strcmp(argv[i], "-H") == 0) { set_home = 1; continue; }
        if (strcmp(argv[i], "-N") == 0) { no_network = 1; continue; }
        if (i + 1 >= argc) die("option %s needs a value", argv[i]);
        const char *v = argv[++i];
        switch (argv[i - 1][1]) {
            case 'l': lowers = v; break;
            case 'u': upper = v; break;
            case 'w': work = v; break;
            case 'm': merged = v; break;
            case 'U': user = v; break;
            case 'd': cwd = v; break;
            case 'x': meta = v; break;
            case 'B': pending_src = v; break;
            case 'T':
                if (!pending_src || nbinds >= MAX_BINDS) die("-T needs a -B before it, at most %d", MAX_BINDS);
                binds[nbinds].src = pending_src;
                binds[nbinds++].target = v;
                pending_src = NULL;
                break;
            default: die("unknown option %s", argv[i - 1]);
        }
    }
    if (!lowers || !upper || !work || !merged || !meta || i >= argc || pending_src)
        die("usage: agent build-run -l ... [-B SRC -T TARGET]... -- ARGV");
    mkdirs(upper);
    mkdirs(work);
    mkdirs(merged);
    if (unshare(CLONE_NEWNS) != 0) die("cannot make a mount namespace: %s", strerror(errno));
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("cannot make mounts private: %s", strerror(errno));
    size_t ol = strlen(lowers) + strlen(upper) + strlen(work) + 128;
    char *options = malloc(ol);
    if (!options) die("out of memory");
    snprintf(options, ol, "lowerdir=%s,upperdir=%s,workdir=%s,redirect_dir=off,index=off,metacopy=off,xino=off",
             lowers, upper, work);
    if (mount("overlay", merged, "overlay", 0, options) != 0) die("cannot mount the overlay: %s", strerror(errno));
    struct mountpoint points[] = { { "proc", 0 }, { "sys", 0 }, { "dev", 0 } };
    for (size_t k = 0; k < sizeof points / sizeof points[0]; k++) prepare_mountpoint(merged, &points[k]);
    char path[4200];
    snprintf(path, sizeof path, "%s/sys", merged);
    if (mount("sysfs", path, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        die("cannot mount sysfs: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/dev", merged);
    if (mount("/dev", path, NULL, MS_BIND | MS_REC, NULL) != 0) die("cannot mount /dev: %s", strerror(errno));
    for (int k = 0; k < nbinds; k++) prepare_bind(merged, &binds[k]);
    if (unshare(CLONE_NEWPID | (no_network ? CLONE_NEWNET : 0)) != 0)
        die("cannot make a PID namespace: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) die("cannot fork: %s", strerror(errno));
    if (pid == 0) run_child(merged, user, cwd, set_home, argv + i);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) die("cannot wait for the command: %s", strerror(errno));
    }
    /* the namespace's init is gone, so the kernel has killed everything it left; now nothing holds the mounts */
    for (int k = nbinds - 1; k >= 0; k--) release_bind(&binds[k]);
    snprintf(path, sizeof path, "%s/dev", merged);
    umount2(path, MNT_DETACH);
    snprintf(path, sizeof path, "%s/sys", merged);
    umount2(path, MNT_DETACH);
    snprintf(path, sizeof path, "%s/proc", merged);
    umount2(path, MNT_DETACH);
    for (size_t k = 0; k < sizeof points / sizeof points[0]; k++) {
        if (!points[k].created) continue;
        snprintf(path, sizeof path, "%s/%s", merged, points[k].name);
        rmdir(path); /* only in the upper directory: no whiteout is left */
    }
    if (umount2(merged, 0) != 0) die("cannot unmount the overlay: %s", strerror(errno));
    write_meta(upper, meta);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : SETUP_FAILED;
}

/* ---- build-mount ---- */

#define EXT4_MAGIC 0xEF53
#define MAX_DEVICES 64

/* Whether /dev/NAME holds an ext4 superblock labelled LABEL; sets *rdev to the device's number. */
static int has_label(const char *name, const char *label, dev_t *rdev) {
    char path[300];
    snprintf(path, sizeof path, "/dev/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    unsigned char sb[1024];
    struct stat st;
    int found = fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && pread(fd, sb, sizeof sb, 1024) == (ssize_t)sizeof sb
                && (sb[56] | sb[57] << 8) == EXT4_MAGIC && strnlen((char *)sb + 120, 16) == strlen(label)
                && memcmp(sb + 120, label, strlen(label)) == 0;
    if (found) {
        *rdev = st.st_rdev;
        ioctl(fd, BLKFLSBUF, 0); /* nothing the kernel read of it at boot is trusted to be current */
    }
    close(fd);
    return found;
}

static int build_mount(const char *label, const char *dir) {
    if (strlen(label) == 0 || strlen(label) > 16) die("bad volume label %s", label);
    struct stat root;
    if (stat("/", &root) != 0) die("cannot stat /: %s", strerror(errno));
    DIR *d = opendir("/sys/block");
    if (!d) die("cannot list /sys/block: %s", strerror(errno));
    char device[300] = "";
    dev_t rdev = 0;
    int seen = 0, matches = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && seen < MAX_DEVICES) {
        if (e->d_name[0] == '.' || strlen(e->d_name) > 64) continue;
        seen++;
        dev_t r;
        if (!has_label(e->d_name, label, &r) || r == root.st_dev) continue;
        matches++;
        snprintf(device, sizeof device, "/dev/%s", e->d_name);
        rdev = r;
    }
    closedir(d);
    if (matches != 1) die("%s block devices labelled %s (one is needed)", matches ? "several" : "no", label);
    mkdirs(dir);
    struct stat st;
    if (stat(dir, &st) == 0 && st.st_dev == rdev) return 0; /* mounted already */
    if (mount(device, dir, "ext4", MS_NOATIME, "") != 0)
        die("cannot mount %s at %s: %s", device, dir, strerror(errno));
    if (chmod(dir, 0700) != 0) die("cannot chmod %s: %s", dir, strerror(errno));
    return 0;
}

/* ---- build-xattrs ---- */

static int unhex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int build_xattrs(const char *dir, const char *meta) {
    size_t len = 0;
    FILE *f = fopen(meta, "re");
    if (!f) die("cannot read %s: %s", meta, strerror(errno));
    char *fields[4];
    char *line = NULL;
    size_t cap = 0;
    for (;;) {
        ssize_t n = getdelim(&line, &cap, 0, f);
        if (n <= 0) break;
        fields[0] = strdup(line);
        int want = strcmp(fields[0], "O") == 0 ? 1 : strcmp(fields[0], "X") == 0 ? 3 : -1;
        if (want < 0) die("%s: unknown record %s", meta, fields[0]);
        for (int k = 1; k <= want; k++) {
            if (getdelim(&line, &cap, 0, f) <= 0) die("%s: record cut short", meta);
            fields[k] = strdup(line);
        }
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, fields[1]);
        if (want == 1) {
            if (lsetxattr(path, OPAQUE_XATTR, "y", 1, 0) != 0) die("cannot mark %s opaque: %s", path, strerror(errno));
        } else {
            len = strlen(fields[3]) / 2;
            unsigned char *value = malloc(len + 1);
            if (!value) die("out of memory");
            for (size_t k = 0; k < len; k++) {
                int hi = unhex(fields[3][2 * k]), lo = unhex(fields[3][2 * k + 1]);
                if (hi < 0 || lo < 0) die("%s: bad value for %s", meta, fields[2]);
                value[k] = (unsigned char)(hi * 16 + lo);
            }
            if (lsetxattr(path, fields[2], value, len, 0) != 0)
                die("cannot set %s on %s: %s", fields[2], path, strerror(errno));
            free(value);
        }
        for (int k = 0; k <= want; k++) free(fields[k]);
    }
    free(line);
    fclose(f);
    return 0;
}

int buildstep_main(int argc, char **argv) {
    if (strcmp(argv[1], "build-run") == 0) return build_run(argc, argv);
    if (strcmp(argv[1], "build-mount") == 0) {
        if (argc == 4) return build_mount(argv[2], argv[3]);
        fprintf(stderr, "usage: agent build-mount LABEL DIR\n");
        return 2;
    }
    if (argc == 4) return build_xattrs(argv[2], argv[3]);
    fprintf(stderr, "usage: agent build-xattrs DIR META\n");
    return 2;
}
