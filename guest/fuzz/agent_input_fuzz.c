/*
 * libFuzzer target for what the agent reads from its host: framing (frame.c), the JSON reader and writer
 * (json.c), the typed field getters (fields.c, signals.c), the command environment (exec.c), entry paths
 * (copy_entry.c) and base64. Built with ASan and UBSan by guest/fuzz/build.sh; GuestFuzzTest runs it for a
 * bounded time over guest/fuzz/corpus and replays guest/fuzz/regressions.
 *
 * Input: the first byte picks the mode.
 *   even: the rest is one JSON payload, read as the agent reads a request;
 *   odd:  the rest is a byte stream of frames (4-byte little-endian length, payload), fed to the frame reader in
 *         pieces whose sizes come from the mode byte, each whole frame read as the agent reads it.
 * Besides memory errors and undefined behaviour, it checks properties and aborts when one fails: a string the
 * writer quotes reads back as the same bytes (valid UTF-8) or with U+FFFD where it was not; base64 round-trips;
 * the frame reader hands out exactly the frames in the stream, in order, and never more bytes than announced.
 */
#include "../base64.h"
#include "../copy_entry.h"
#include "../exec.h"
#include "../fields.h"
#include "../frame.h"
#include "../json.h"
#include "../signals.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                   \
    do {                                                                                              \
        if (!(cond)) { fprintf(stderr, "fuzz: property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); abort(); } \
    } while (0)

/* Every field the agent's requests have, with the ranges the handlers give them. */
struct int_field { const char *key; long long min, max; };
static const struct int_field INT_FIELDS[] = {
    { "timeout_ms", 0, 1LL << 40 }, { "output_limit", 0, 1LL << 40 }, { "mode", 0, 07777 },
    { "rows", 1, 65535 }, { "cols", 1, 65535 }, { "session", 1, 0xFFFFFFFFLL }, { "copy", 1, 0xFFFFFFFFLL },
    { "offset", 0, 1LL << 62 }, { "max", 1, 1LL << 62 }, { "uid", 0, 4294967294LL }, { "gid", 0, 4294967294LL },
    { "mtime", -(1LL << 40), 1LL << 40 }, { "mtime_nsec", 0, 999999999 }, { "size", 0, 1LL << 62 },
    { "rdev_major", 0, 0xFFFFFFFFLL }, { "rdev_minor", 0, 0xFFFFFFFFLL }, { "id", -(1LL << 53), 1LL << 53 },
};
static const char *const STRING_FIELDS[] = { "id", "type", "cwd", "user", "path", "kind", "target", "stream" };
static const char *const BOOL_FIELDS[] = { "tty", "stdin", "detach", "recursive" };

/* The writer's quoting of s[0..n) must read back as s (valid UTF-8 without NUL) or as s with U+FFFD. */
static void check_quoting(const char *s, size_t n) {
    struct jbuf b = { 0 };
    int lossy = jbuf_quoted(&b, s, n);
    const char *error = NULL;
    struct json_doc *doc = json_parse(b.data, b.len, &error);
    CHECK(doc != NULL);
    const struct json *v = json_root(doc);
    CHECK(v->type == JSON_STRING);
    int valid = 1;
    for (size_t i = 0; i < n && valid; i++) valid = s[i] != 0;
    valid = valid && utf8_valid(s, n);
    if (!lossy) CHECK(v->length == n && memcmp(v->string, s, n) == 0);
    if (valid) CHECK(!lossy);
    CHECK(utf8_valid(v->string, v->length) || memchr(v->string, 0, v->length) != NULL);
    json_doc_free(doc);
    jbuf_free(&b);
}

static void check_base64(const char *s, size_t n) {
    size_t len;
    unsigned char *bytes = base64_decode(s, n, &len);
    if (bytes) {
        CHECK(len <= n / 4 * 3 + 2);
        size_t elen;
        char *again = base64_encode(bytes, len, &elen);
        CHECK(again != NULL);
        size_t back_len;
        unsigned char *back = base64_decode(again, elen, &back_len);
        CHECK(back != NULL && back_len == len && memcmp(back, bytes, len) == 0);
        free(back);
        free(again);
    }
    free(bytes);
}

static void visit_strings(const struct json *v, int depth) {
    if (v->type == JSON_STRING) {
        CHECK(v->string[v->length] == 0);
        if (v->length <= 4096) {
            check_quoting(v->string, v->length);
            check_base64(v->string, v->length);
            const char *rel;
            if (copy_path_valid(v->string, v->length, &rel)) CHECK(strlen(rel) <= v->length);
            (void)copy_kind_parse(v->string);
        }
        return;
    }
    if (v->type != JSON_ARRAY && v->type != JSON_OBJECT) return;
    CHECK(depth <= JSON_MAX_DEPTH);
    for (size_t i = 0; i < v->length; i++) {
        if (v->type == JSON_OBJECT) CHECK(v->keys[i] != NULL);
        visit_strings(v->items[i], depth + 1);
    }
}

/* Every name once; a small request's names each with the value of its last occurrence. */
static void check_environment(char **env, const struct json *given) {
    size_t n = 0;
    while (env[n]) { CHECK(strchr(env[n], '=') != NULL && env[n][0] != '='); n++; }
    if (n > 200) return;
    for (size_t i = 0; i < n; i++) {
        size_t len = (size_t)(strchr(env[i], '=') - env[i]);
        for (size_t j = i + 1; j < n; j++) CHECK(!(strncmp(env[i], env[j], len) == 0 && env[j][len] == '='));
    }
    if (!given || given->type != JSON_OBJECT) return;
    for (size_t k = 0; k < given->length; k++) {
        const char *key = given->keys[k];
        size_t len = strlen(key);
        const char *last = NULL;
        for (size_t m = 0; m < given->length; m++) if (strcmp(given->keys[m], key) == 0) last = given->items[m]->string;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            if (strncmp(env[i], key, len) == 0 && env[i][len] == '=') { CHECK(strcmp(env[i] + len + 1, last) == 0); found = 1; }
        CHECK(found);
    }
}

/* What the agent does with a request's fields before acting on them. */
static void read_request(const char *payload, size_t len) {
    const char *error = NULL;
    struct json_doc *doc = json_parse(payload, len, &error);
    if (!doc) { CHECK(error != NULL); return; }
    const struct json *request = json_root(doc);
    visit_strings(request, 0);
    struct field_error err;
    long long n;
    for (size_t i = 0; i < sizeof INT_FIELDS / sizeof INT_FIELDS[0]; i++) {
        if (field_int(request, INT_FIELDS[i].key, INT_FIELDS[i].min, INT_FIELDS[i].max, 7, &n, &err) == 0)
            CHECK(n == 7 || (n >= INT_FIELDS[i].min && n <= INT_FIELDS[i].max));
        else
            CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        if (json_integer(json_get(request, INT_FIELDS[i].key), INT_FIELDS[i].min, INT_FIELDS[i].max, &n))
            CHECK(n >= INT_FIELDS[i].min && n <= INT_FIELDS[i].max);
    }
    const char *s;
    for (size_t i = 0; i < sizeof STRING_FIELDS / sizeof STRING_FIELDS[0]; i++)
        if (field_string(request, STRING_FIELDS[i], i % 2, &s, &err) == 0 && s) CHECK(strlen(s) < 1u << 24);
    int b;
    for (size_t i = 0; i < sizeof BOOL_FIELDS / sizeof BOOL_FIELDS[0]; i++)
        if (field_bool(request, BOOL_FIELDS[i], 0, &b, &err) == 0) CHECK(b == 0 || b == 1);
    int sig;
    if (field_signal(request, "signal", 15, &sig, &err) == 0) CHECK(sig >= 1 && sig <= 64);
    char **argv = NULL;
    if (field_argv(request, "command", &argv, &err) == 0) {
        size_t count = 0;
        while (argv[count]) count++;
        CHECK(count >= 1);
    }
    free(argv);
    const struct json *given = json_get(request, "env");
    char **env = exec_environment(given, NULL, 1, &err);
    if (env) check_environment(env, given);
    exec_env_free(env);
    json_doc_free(doc);
}

static void read_frame(const char *payload, uint32_t len) {
    CHECK(payload[len] == 0);
    if (len > 0 && payload[0] == 0) {
        struct data_frame d;
        const char *error;
        if (data_frame_parse(payload, len, &d, &error) == 0) {
            CHECK(d.len + DATA_HEADER_BYTES == len && d.kind >= DATA_STDOUT && d.kind <= DATA_FILE);
        }
        return;
    }
    read_request(payload, len);
}

static uint32_t get_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void read_stream(const uint8_t *data, size_t size, unsigned piece) {
    /* the frames the stream holds, computed independently of the reader */
    struct frame_reader r;
    frame_reader_init(&r);
    size_t expect_at = 0; /* offset of the next frame's header in data */
    const unsigned char *p = data;
    size_t left = size;
    size_t step = piece % 7 == 0 ? size : 1 + piece % 97;
    while (left > 0) {
        size_t give = left < step ? left : step;
        const unsigned char *chunk = p;
        size_t n = give;
        for (;;) {
            const char *payload;
            uint32_t len;
            enum frame_event e = frame_reader_next(&r, &chunk, &n, &payload, &len);
            if (e == FRAME_NEED_MORE) { CHECK(n == 0); break; }
            CHECK(expect_at + 4 <= size);
            uint32_t announced = get_u32le(data + expect_at);
            CHECK(len == announced);
            CHECK(expect_at + 4 + (size_t)len <= size);
            if (e == FRAME_READY) {
                CHECK(memcmp(payload, data + expect_at + 4, len) == 0);
                read_frame(payload, len);
            } else {
                CHECK(len > DATA_HEADER_BYTES + DATA_MAX_BYTES);
            }
            expect_at += 4 + (size_t)len;
        }
        p += give;
        left -= give;
    }
    CHECK(frame_reader_partial(&r) == (expect_at < size));
    frame_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned mode = data[0];
    data++;
    size--;
    if (mode % 2 == 0) {
        /* the reader must not look past len: give it an exact-size copy, so ASan sees any over-read */
        char *copy = malloc(size ? size : 1);
        if (!copy) abort();
        memcpy(copy, data, size);
        read_request(copy, size);
        free(copy);
    } else {
        read_stream(data, size, mode >> 1);
    }
    return 0;
}
