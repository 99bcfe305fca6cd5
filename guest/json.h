/* A small JSON reader and writer: enough for the agent's requests and responses. */
#ifndef AGENT_JSON_H
#define AGENT_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 64
#define JSON_MAX_VALUES 262144 /* per document: bounds the memory one frame can cost (~20 MB) */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    int is_integer;       /* JSON_NUMBER written as an integer literal that fits a long long: `integer` is exact */
    long long integer;
    double number;        /* JSON_NUMBER (also for integers), JSON_BOOL (0/1) */
    char *string;         /* JSON_STRING (NUL-terminated; may contain NULs, see length) */
    size_t length;        /* JSON_STRING byte length; JSON_ARRAY/OBJECT item count */
    char **keys;          /* JSON_OBJECT keys, parallel to items */
    struct json **items;  /* JSON_ARRAY/OBJECT members */
};

/* A parsed document: every value, string and array lives in one arena, freed at once. */
struct json_doc;

/* Parses text[0..len). Returns NULL and sets *error (a static message) on malformed input. */
struct json_doc *json_parse(const char *text, size_t len, const char **error);
const struct json *json_root(const struct json_doc *doc);
void json_doc_free(struct json_doc *doc);

/* Member of an object by key (the first of duplicates), or NULL. */
const struct json *json_get(const struct json *object, const char *key);
/* String member or NULL when absent or not a string. */
const char *json_get_string(const struct json *object, const char *key);

/* A growing output buffer for writing JSON. */
struct jbuf {
    char *data;
    size_t len, cap;
};

void jbuf_append(struct jbuf *b, const char *bytes, size_t n);
void jbuf_str(struct jbuf *b, const char *s);
/* Appends s as a JSON string; returns whether bytes that are not UTF-8 had to be written as U+FFFD. */
int jbuf_quoted(struct jbuf *b, const char *s, size_t n);
void jbuf_free(struct jbuf *b);
/* Whether s[0..n) is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t n);

/* Object writing: jw_begin, then members, then jw_end. Members after the first get a comma. */
struct jwriter {
    struct jbuf buf;
    int members;
};
void jw_begin(struct jwriter *w);
/* Returns whether the value lost bytes that are not UTF-8 (written as U+FFFD). */
int jw_string(struct jwriter *w, const char *key, const char *value, size_t n);
void jw_cstring(struct jwriter *w, const char *key, const char *value);
void jw_int(struct jwriter *w, const char *key, long long value);
void jw_bool(struct jwriter *w, const char *key, int value);
void jw_null(struct jwriter *w, const char *key);
void jw_raw(struct jwriter *w, const char *key, const char *json);
void jw_end(struct jwriter *w);

#endif
