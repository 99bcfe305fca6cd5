#define _GNU_SOURCE
#include "handlers.h"

#include "base64.h"
#include "json.h"
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

static struct response finish(struct jwriter *w, int shutdown) {
    jw_end(w);
    struct response r = { w->buf.data, w->buf.len, shutdown };
    return r;
}

/* Starts a response carrying the request's id (null when the request had none). */
static void begin(struct jwriter *w, const char *id) {
    jw_begin(w);
    if (id) jw_string(w, "id", id, strlen(id));
    else jw_null(w, "id");
}

__attribute__((format(printf, 2, 3)))
static struct response error_response(const char *id, const char *format, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    struct jwriter w;
    begin(&w, id);
    jw_string(&w, "error", message, strlen(message));
    return finish(&w, 0);
}

/* The reply to a request that succeeded with nothing to return; shutdown: whether the agent stops after it. */
static struct response ok_response(const char *id, int shutdown) {
    struct jwriter w;
    begin(&w, id);
    jw_int(&w, "exit_code", 0);
    return finish(&w, shutdown);
}

static struct response handle_ping(const char *id) {
    struct jwriter w;
    begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_string(&w, "stdout", "pong", 4);
    return finish(&w, 0);
}

/* NULL-terminated array of the strings in a JSON array, or NULL (with *error) when it is not one. */
static char **string_array(const struct json *array, const char **error) {
    if (!array || array->type != JSON_ARRAY) { *error = "must be an array of strings"; return NULL; }
    char **out = calloc(array->length + 1, sizeof *out);
    for (size_t i = 0; i < array->length; i++) {
        if (array->items[i]->type != JSON_STRING) { free(out); *error = "must be an array of strings"; return NULL; }
        out[i] = array->items[i]->string;
    }
    return out;
}

/* "K=V" strings for an object of strings; freed with free_env. */
static char **env_array(const struct json *object, const char **error) {
    if (!object || object->type == JSON_NULL) return calloc(1, sizeof(char *));
    if (object->type != JSON_OBJECT) { *error = "env must be an object of strings"; return NULL; }
    char **out = calloc(object->length + 1, sizeof *out);
    for (size_t i = 0; i < object->length; i++) {
        const struct json *v = object->items[i];
        if (v->type != JSON_STRING || object->keys[i][0] == 0 || strchr(object->keys[i], '=')) {
            for (size_t j = 0; j < i; j++) free(out[j]);
            free(out);
            *error = "env must map names without '=' to strings";
            return NULL;
        }
        if (asprintf(&out[i], "%s=%s", object->keys[i], v->string) < 0) exit(70);
    }
    return out;
}

static void free_env(char **env) {
    for (char **e = env; e && *e; e++) free(*e);
    free(env);
}

static long long number_field(const struct json *request, const char *key, long long fallback) {
    const struct json *v = json_get(request, key);
    return v && v->type == JSON_NUMBER ? (long long)v->number : fallback;
}

/* Output exactly, in base64 under `key`: for a stream whose JSON string had U+FFFD for bytes that are not UTF-8. */
static void raw_copy(struct jwriter *w, const char *key, const char *data, size_t len) {
    size_t encoded_len;
    char *encoded = base64_encode((const unsigned char *)data, len, &encoded_len);
    jw_string(w, key, encoded, encoded_len);
    free(encoded);
}

static struct response handle_run(const char *id, const struct json *request) {
    const char *error = NULL;
    char **argv = string_array(json_get(request, "command"), &error);
    if (!argv) return error_response(id, "run: command %s", error);
    if (!argv[0]) { free(argv); return error_response(id, "run: command is empty"); }
    char **env = env_array(json_get(request, "env"), &error);
    if (!env) { free(argv); return error_response(id, "run: %s", error); }

    long long limit = number_field(request, "output_limit", DEFAULT_OUTPUT_LIMIT);
    struct run_spec spec = {
        .argv = argv,
        .cwd = json_get_string(request, "cwd"),
        .env = env,
        .timeout_ms = number_field(request, "timeout_ms", 0),
        .output_limit = (size_t)(limit < 0 ? 0 : limit > MAX_OUTPUT_LIMIT ? MAX_OUTPUT_LIMIT : limit),
    };
    struct run_result result;
    run_command(&spec, &result);

    struct jwriter w;
    begin(&w, id);
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
    free_env(env);
    free(argv);
    return finish(&w, 0);
}

static struct response handle_write_file(const char *id, const struct json *request) {
    const char *path = json_get_string(request, "path");
    const struct json *content = json_get(request, "content_base64");
    if (!path || !*path) return error_response(id, "write_file: path is required");
    if (!content || content->type != JSON_STRING) return error_response(id, "write_file: content_base64 is required");
    size_t n;
    unsigned char *bytes = base64_decode(content->string, content->length, &n);
    if (!bytes) return error_response(id, "write_file: content_base64 is not valid base64");
    int mode = (int)number_field(request, "mode", 0644);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
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
    const char *path = json_get_string(request, "path");
    if (!path || !*path) return error_response(id, "read_file: path is required");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
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
    int r = read_full(fd, bytes, (size_t)st.st_size);
    close(fd);
    if (r != 0) { free(bytes); return error_response(id, "read_file %s: read failed", path); }
    size_t encoded_len;
    char *encoded = base64_encode(bytes, (size_t)st.st_size, &encoded_len);
    free(bytes);
    struct jwriter w;
    begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_string(&w, "content_base64", encoded, encoded_len);
    free(encoded);
    return finish(&w, 0);
}

static struct response handle_remove_file(const char *id, const struct json *request) {
    const char *path = json_get_string(request, "path");
    if (!path || !*path) return error_response(id, "remove_file: path is required");
    if (unlink(path) != 0) {
        if (errno != EISDIR || rmdir(path) != 0) return error_response(id, "remove_file %s: %s", path, strerror(errno));
    }
    return ok_response(id, 0);
}

/* mkdir -p: creates each missing component; existing directories are fine. */
static int mkdir_parents(const char *path, mode_t mode) {
    char *copy = strdup(path);
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
    const char *path = json_get_string(request, "path");
    if (!path || !*path) return error_response(id, "mkdir: path is required");
    const struct json *recursive = json_get(request, "recursive");
    int parents = recursive && recursive->type == JSON_BOOL && recursive->number != 0;
    mode_t mode = (mode_t)number_field(request, "mode", 0755) & 07777;
    if ((parents ? mkdir_parents(path, mode) : mkdir(path, mode)) != 0)
        return error_response(id, "mkdir %s: %s", path, strerror(errno));
    return ok_response(id, 0);
}

static struct response handle_shutdown(const char *id) {
    return ok_response(id, 1);
}

struct response handle_request(const char *payload, size_t len) {
    const char *error = NULL;
    struct json *request = json_parse(payload, len, &error);
    if (!request) return error_response(NULL, "malformed request: %s", error);
    if (request->type != JSON_OBJECT) {
        json_free(request);
        return error_response(NULL, "malformed request: not a JSON object");
    }
    const struct json *id_value = json_get(request, "id");
    char id_buf[32];
    const char *id = NULL;
    if (id_value && id_value->type == JSON_STRING) id = id_value->string;
    else if (id_value && id_value->type == JSON_NUMBER) {
        snprintf(id_buf, sizeof id_buf, "%lld", (long long)id_value->number);
        id = id_buf;
    }
    const char *type = json_get_string(request, "type");
    struct response r;
    if (!id) r = error_response(NULL, "malformed request: id is required");
    else if (!type) r = error_response(id, "malformed request: type is required");
    else if (!strcmp(type, "ping")) r = handle_ping(id);
    else if (!strcmp(type, "run")) r = handle_run(id, request);
    else if (!strcmp(type, "write_file")) r = handle_write_file(id, request);
    else if (!strcmp(type, "read_file")) r = handle_read_file(id, request);
    else if (!strcmp(type, "remove_file")) r = handle_remove_file(id, request);
    else if (!strcmp(type, "mkdir")) r = handle_mkdir(id, request);
    else if (!strcmp(type, "shutdown")) r = handle_shutdown(id);
    else r = error_response(id, "unknown request type '%s'", type);
    json_free(request);
    return r;
}

struct response oversized_response(uint32_t len) {
    return error_response(NULL, "frame of %u bytes is larger than the limit of %u bytes; it was skipped", len,
                          MAX_REQUEST_BYTES);
}
