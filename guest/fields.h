/*
 * Typed, validated access to the fields of a request. Every getter treats an absent field and JSON null as
 * "not given" (the default), rejects a value of the wrong type or out of range, and then fills `err` with a
 * message naming the field. Returns 0 on success, -1 on error.
 */
#ifndef AGENT_FIELDS_H
#define AGENT_FIELDS_H

#include "json.h"

#include <stddef.h>

#define FIELD_ERROR_BYTES 256

struct field_error {
    char message[FIELD_ERROR_BYTES];
};

/* A string without NUL bytes; *out points into the request (NULL when absent and not required). */
int field_string(const struct json *o, const char *key, int required, const char **out, struct field_error *err);
/* An integer in [min, max] (integral JSON numbers only; no double is converted out of range). */
int field_int(const struct json *o, const char *key, long long min, long long max, long long fallback,
              long long *out, struct field_error *err);
int field_bool(const struct json *o, const char *key, int fallback, int *out, struct field_error *err);
/* A non-empty array of strings without NUL bytes: a malloc'd NULL-terminated array of pointers into the request. */
int field_argv(const struct json *o, const char *key, char ***out, struct field_error *err);
/* Whether a JSON value is an integer in [min, max]; *out gets it. */
int json_integer(const struct json *v, long long min, long long max, long long *out);

#endif
