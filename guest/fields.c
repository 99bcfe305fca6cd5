#include "fields.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 3)))
static int reject(struct field_error *err, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(err->message, sizeof err->message, format, ap);
    va_end(ap);
    return -1;
}

static const struct json *given(const struct json *o, const char *key) {
    const struct json *v = json_get(o, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

int field_string(const struct json *o, const char *key, int required, const char **out, struct field_error *err) {
    const struct json *v = given(o, key);
    *out = NULL;
    if (!v) return required ? reject(err, "%s is required", key) : 0;
    if (v->type != JSON_STRING) return reject(err, "%s must be a string", key);
    if (strlen(v->string) != v->length) return reject(err, "%s must not contain NUL characters", key);
    *out = v->string;
    return 0;
}

int json_integer(const struct json *v, long long min, long long max, long long *out) {
    if (!v || v->type != JSON_NUMBER) return 0;
    long long value;
    if (v->is_integer) {
        value = v->integer;
    } else {
        /* 1e3 is an integer too; anything beyond +-2^62 is out of every range the agent accepts */
        double d = v->number;
        if (!isfinite(d) || d != floor(d) || d < -4611686018427387904.0 || d > 4611686018427387904.0) return 0;
        value = (long long)d;
    }
    if (value < min || value > max) return 0;
    *out = value;
    return 1;
}

int field_int(const struct json *o, const char *key, long long min, long long max, long long fallback,
              long long *out, struct field_error *err) {
    const struct json *v = given(o, key);
    *out = fallback;
    if (!v) return 0;
    if (v->type != JSON_NUMBER) return reject(err, "%s must be a number", key);
    if (!json_integer(v, min, max, out)) return reject(err, "%s must be an integer from %lld to %lld", key, min, max);
    return 0;
}

int field_bool(const struct json *o, const char *key, int fallback, int *out, struct field_error *err) {
    const struct json *v = given(o, key);
    *out = fallback;
    if (!v) return 0;
    if (v->type != JSON_BOOL) return reject(err, "%s must be true or false", key);
    *out = v->number != 0;
    return 0;
}

int field_argv(const struct json *o, const char *key, char ***out, struct field_error *err) {
    const struct json *v = given(o, key);
    *out = NULL;
    if (!v) return reject(err, "%s is required", key);
    if (v->type != JSON_ARRAY) return reject(err, "%s must be an array of strings", key);
    if (v->length == 0) return reject(err, "%s is empty", key);
    for (size_t i = 0; i < v->length; i++) {
        const struct json *s = v->items[i];
        if (s->type != JSON_STRING || strlen(s->string) != s->length)
            return reject(err, "%s must be an array of strings without NUL characters", key);
    }
    char **argv = calloc(v->length + 1, sizeof *argv);
    if (!argv) return reject(err, "out of memory");
    for (size_t i = 0; i < v->length; i++) argv[i] = v->items[i]->string;
    *out = argv;
    return 0;
}
