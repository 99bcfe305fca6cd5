#define _GNU_SOURCE
#include "handlers.h"

#include "base64.h"
#include "configure.h"
#include "detach.h"
#include "exec.h"
#include "fields.h"
#include "frame.h"
#include "net.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct response response_finish(struct jwriter *w, int shutdown) {
    jw_end(w);
    struct response r = { w->buf.data, w->buf.len, shutdown };
    return r;
}

void response_begin(struct jwriter *w, const char *id) {
    jw_begin(w);
    if (id) jw_string(w, "id", id, strlen(id));
    else jw_null(w, "id");
}

struct response error_response(const char *id, const char *format, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    struct jwriter w;
    response_begin(&w, id);
    jw_string(&w, "error", message, strlen(message));
    return response_finish(&w, 0);
}

/* The reply to a request that succeeded with nothing to return; shutdown: whether the agent stops after it. */
struct response ok_response(const char *id, int shutdown) {
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    return response_finish(&w, shutdown);
}

static struct response handle_ping(const char *id) {
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_string(&w, "stdout", "pong", 4);
    return response_finish(&w, 0);
}

static struct response handle_hello(const char *id) {
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_int(&w, "protocol", AGENT_PROTOCOL);
    jw_cstring(&w, "agent", AGENT_VERSION);
    jw_raw(&w, "features", "[\"exec\",\"stdin\",\"signal\",\"pty\",\"resize\",\"detach\",\"copy\",\"configure\",\"stat\",\"copy_stage\"]");
    return response_finish(&w, 0);
}

/* Output exactly, in base64 under `key`: for a stream whose JSON string had U+FFFD for bytes that are not UTF-8. */
static void raw_copy(struct jwriter *w, const char *key, const char *data, size_t len) {
    size_t encoded_len;
    char *encoded = base64_encode((const unsigned char *)data, len, &encoded_len);
    jw_string(w, key, encoded, encoded_len);
    free(encoded);
}

/* run (version 1): the whole command in one request; its output, bounded, in the response. */
static struct response handle_run(const char *id, const struct json *request) {
    struct field_error err;
    char **argv = NULL;
    const char *cwd;
    long long timeout_ms, limit;
    if (field_argv(request, "command", &argv, &err) || field_string(request, "cwd", 0, &cwd, &err)
        || field_int(request, "timeout_ms", 0, 1LL << 40, 0, &timeout_ms, &err)
        || field_int(request, "output_limit", 0, 1LL << 40, DEFAULT_OUTPUT_LIMIT, &limit, &err)) {
        free(argv);
        return error_response(id, "run: %s", err.message);
    }
    char **env = exec_environment(json_get(request, "env"), NULL, 0, &err);
    if (!env) { free(argv); return error_response(id, "run: %s", err.message); }

    struct run_spec spec = {
        .argv = argv,
        .cwd = cwd,
        .env = env,
        .timeout_ms = timeout_ms,
        .output_limit = (size_t)(limit > MAX_OUTPUT_LIMIT ? MAX_OUTPUT_LIMIT : limit),
    };
    struct run_result result;
    run_command(&spec, &result);

    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", result.exit_code);
    int stdout_lossy = jw_string(&w, "stdout", result.out.data ? result.out.data : "", result.out.len);
    int stderr_lossy = jw_string(&w, "stderr", result.err.data ? result.err.data : "", result.err.len);
    if (stdout_lossy) raw_copy(&w, "stdout_base64", result.out.data, result.out.len);
    if (stderr_lossy) raw_copy(&w, "stderr_base64", result.err.data, result.err.len);
    if (result.out.truncated) jw_bool(&w, "stdout_truncated", 1);
    if (result.err.truncated) jw_bool(&w, "stderr_truncated", 1);
    if (result.timed_out) {
        char message[128];
        snprintf(message, sizeof message, "command timed out after %lld ms and was killed", spec.timeout_ms);
        jw_bool(&w, "timed_out", 1);
        jw_string(&w, "error", message, strlen(message));
    } else if (result.start_error) {
        jw_string(&w, "error", result.start_error, strlen(result.start_error));
    }
    run_result_free(&result);
    exec_env_free(env);
    free(argv);
    return response_finish(&w, 0);
}

/* A required, non-empty path without NUL bytes. */
static int path_field(const struct json *request, const char **path, struct field_error *err) {
    if (field_string(request, "path", 1, path, err)) return -1;
    if (!**path) { snprintf(err->message, sizeof err->message, "path is required"); return -1; }
    return 0;
}

static struct response handle_write_file(const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    long long mode;
    const struct json *content = json_get(request, "content_base64");
    if (path_field(request, &path, &err) || field_int(request, "mode", 0, 07777, 0644, &mode, &err))
        return error_response(id, "write_file: %s", err.message);
    if (!content || content->type != JSON_STRING) return error_response(id, "write_file: content_base64 is required");
    size_t n;
    unsigned char *bytes = base64_decode(content->string, content->length, &n);
    if (!bytes) return error_response(id, "write_file: content_base64 is not valid base64");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        int e = errno;
        free(bytes);
        return error_response(id, "write_file %s: %s", path, strerror(e));
    }
    int failed = write_full(fd, bytes, n) != 0;
    int e = errno;
    free(bytes);
    if (close(fd) != 0 && !failed) { failed = 1; e = errno; }
    if (failed) return error_response(id, "write_file %s: %s", path, strerror(e));
    return ok_response(id, 0);
}

static struct response handle_read_file(const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    if (path_field(request, &path, &err)) return error_response(id, "read_file: %s", err.message);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return error_response(id, "read_file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return error_response(id, "read_file %s: not a regular file", path);
    }
    if (st.st_size > (off_t)MAX_READ_FILE_BYTES) {
        close(fd);
        return error_response(id, "read_file %s: %lld bytes is more than the limit of %u", path,
                              (long long)st.st_size, MAX_READ_FILE_BYTES);
    }
    unsigned char *bytes = malloc((size_t)st.st_size + 1);
    int r = bytes ? read_full(fd, bytes, (size_t)st.st_size) : -1;
    close(fd);
    if (r != 0) { free(bytes); return error_response(id, "read_file %s: read failed", path); }
    size_t encoded_len;
    char *encoded = base64_encode(bytes, (size_t)st.st_size, &encoded_len);
    free(bytes);
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_string(&w, "content_base64", encoded, encoded_len);
    free(encoded);
    return response_finish(&w, 0);
}

static struct response handle_remove_file(const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    if (path_field(request, &path, &err)) return error_response(id, "remove_file: %s", err.message);
    if (unlink(path) != 0) {
        if (errno != EISDIR || rmdir(path) != 0) return error_response(id, "remove_file %s: %s", path, strerror(errno));
    }
    return ok_response(id, 0);
}

/* mkdir -p: creates each missing component; existing directories are fine. */
static int mkdir_parents(const char *path, mode_t mode) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(copy, mode) != 0 && errno != EEXIST) { free(copy); return -1; }
        *p = '/';
    }
    free(copy);
    if (mkdir(path, mode) != 0) {
        struct stat st;
        if (errno != EEXIST || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return -1;
    }
    return 0;
}

static struct response handle_mkdir(const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    int parents;
    long long mode;
    if (path_field(request, &path, &err) || field_bool(request, "recursive", 0, &parents, &err)
        || field_int(request, "mode", 0, 07777, 0755, &mode, &err))
        return error_response(id, "mkdir: %s", err.message);
    if ((parents ? mkdir_parents(path, (mode_t)mode) : mkdir(path, (mode_t)mode)) != 0)
        return error_response(id, "mkdir %s: %s", path, strerror(errno));
    return ok_response(id, 0);
}

static const char *kind_name(mode_t m) {
    if (S_ISREG(m)) return "file";
    if (S_ISDIR(m)) return "dir";
    if (S_ISLNK(m)) return "symlink";
    if (S_ISFIFO(m)) return "fifo";
    if (S_ISCHR(m)) return "char";
    if (S_ISBLK(m)) return "block";
    return "socket";
}

/*
 * stat: what is at path, symlinks followed (as a copy's destination is resolved). A path that does not exist
 * (ENOENT) is an answer, not an error: {exists: false}. Otherwise kind, mode, uid, gid, mtime of what the path
 * leads to, link (the path itself is a symlink), real (its canonical path) unless it is a dangling symlink.
 */
static struct response handle_stat(const char *id, const struct json *request) {
    struct field_error err;
    const char *path;
    if (path_field(request, &path, &err)) return error_response(id, "stat: %s", err.message);
    if (path[0] != '/') return error_response(id, "stat: path must be absolute");
    struct stat lst, st;
    struct jwriter w;
    if (lstat(path, &lst) != 0) {
        if (errno != ENOENT) return error_response(id, "stat %s: %s", path, strerror(errno));
        response_begin(&w, id);
        jw_int(&w, "exit_code", 0);
        jw_bool(&w, "exists", 0);
        return response_finish(&w, 0);
    }
    int followed = stat(path, &st) == 0;
    const struct stat *s = followed ? &st : &lst;
    char *real = followed ? realpath(path, NULL) : NULL;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_bool(&w, "exists", 1);
    jw_cstring(&w, "kind", kind_name(s->st_mode));
    jw_bool(&w, "link", S_ISLNK(lst.st_mode));
    jw_int(&w, "mode", (long long)(s->st_mode & 07777));
    jw_int(&w, "uid", (long long)s->st_uid);
    jw_int(&w, "gid", (long long)s->st_gid);
    jw_int(&w, "mtime", (long long)s->st_mtim.tv_sec);
    jw_int(&w, "mtime_nsec", (long long)s->st_mtim.tv_nsec);
    if (S_ISREG(s->st_mode)) jw_int(&w, "size", (long long)s->st_size);
    if (real && strlen(real) <= 4096) jw_cstring(&w, "real", real);
    free(real);
    return response_finish(&w, 0);
}

static struct response handle_shutdown(const char *id) {
    return ok_response(id, 1);
}

struct response handle_request(const char *id, const char *type, const struct json *request) {
    struct response r;
    if (!strcmp(type, "ping")) r = handle_ping(id);
    else if (!strcmp(type, "hello")) r = handle_hello(id);
    else if (!strcmp(type, "run")) r = handle_run(id, request);
    else if (!strcmp(type, "write_file")) r = handle_write_file(id, request);
    else if (!strcmp(type, "read_file")) r = handle_read_file(id, request);
    else if (!strcmp(type, "remove_file")) r = handle_remove_file(id, request);
    else if (!strcmp(type, "mkdir")) r = handle_mkdir(id, request);
    else if (!strcmp(type, "stat")) r = handle_stat(id, request);
    else if (!strcmp(type, "exec_list")) r = handle_exec_list(id, request);
    else if (!strcmp(type, "exec_logs")) r = handle_exec_logs(id, request);
    else if (!strcmp(type, "exec_kill")) r = handle_exec_kill(id, request);
    else if (!strcmp(type, "configure")) r = handle_configure(id, request);
    else if (!strcmp(type, "shutdown")) r = handle_shutdown(id);
    else if (!strcmp(type, "net_config")) r = handle_net_config(id, request);
    else r = error_response(id, "unknown request type '%.100s'", type);
    return r;
}
