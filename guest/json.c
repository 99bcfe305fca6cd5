#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reader: recursive descent over a bounded buffer ---- */

struct parser {
    const char *p, *end;
    const char *error;
    int depth;
};

#define MAX_DEPTH 64

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { perror("agent: out of memory"); exit(70); }
    return p;
}

static void skip_ws(struct parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static struct json *fail(struct parser *ps, const char *message) {
    if (!ps->error) ps->error = message;
    return NULL;
}

static int hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *out, unsigned cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Parses a string at ps->p (which points at the opening quote); the result never grows past the input. */
static char *parse_string_raw(struct parser *ps, size_t *out_len) {
    ps->p++;
    const char *start = ps->p;
    size_t max = (size_t)(ps->end - start);
    char *out = xcalloc(max + 1, 1);
    size_t n = 0;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c == '"') { out[n] = 0; *out_len = n; return out; }
        if (c < 0x20) { free(out); fail(ps, "control character in string"); return NULL; }
        if (c != '\\') { out[n++] = (char)c; continue; }
        if (ps->p >= ps->end) break;
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (ps->end - ps->p < 4 || hex4(ps->p, &cp)) { free(out); fail(ps, "bad \\u escape"); return NULL; }
            ps->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                unsigned low;
                if (!hex4(ps->p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    ps->p += 6;
                }
            }
            n += put_utf8(out + n, cp); /* 6 input bytes always cover at most 4 output bytes */
            break;
        }
        default: free(out); fail(ps, "bad escape in string"); return NULL;
        }
    }
    free(out);
    fail(ps, "unterminated string");
    return NULL;
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_container(struct parser *ps, int object) {
    if (++ps->depth > MAX_DEPTH) return fail(ps, "nesting too deep");
    ps->p++;
    struct json *v = xcalloc(1, sizeof *v);
    v->type = object ? JSON_OBJECT : JSON_ARRAY;
    size_t cap = 0;
    char close = object ? '}' : ']';
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; ps->depth--; return v; }
    for (;;) {
        char *key = NULL;
        if (object) {
            skip_ws(ps);
            size_t klen;
            if (ps->p >= ps->end || *ps->p != '"') { json_free(v); return fail(ps, "expected a string key"); }
            key = parse_string_raw(ps, &klen);
            if (!key) { json_free(v); return NULL; }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') { free(key); json_free(v); return fail(ps, "expected ':'"); }
            ps->p++;
        }
        struct json *item = parse_value(ps);
        if (!item) { free(key); json_free(v); return NULL; }
        if (v->length == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = realloc(v->items, cap * sizeof *v->items);
            if (object) v->keys = realloc(v->keys, cap * sizeof *v->keys);
            if (!v->items || (object && !v->keys)) { perror("agent: out of memory"); exit(70); }
        }
        if (object) v->keys[v->length] = key;
        v->items[v->length++] = item;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; ps->depth--; return v; }
        json_free(v);
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(struct parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) { ps->p += n; return 1; }
    return 0;
}

static struct json *parse_value(struct parser *ps) {
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
    char c = *ps->p;
    if (c == '{') return parse_container(ps, 1);
    if (c == '[') return parse_container(ps, 0);
    struct json *v = xcalloc(1, sizeof *v);
    if (c == '"') {
        v->type = JSON_STRING;
        v->string = parse_string_raw(ps, &v->length);
        if (!v->string) { free(v); return NULL; }
        return v;
    }
    if (literal(ps, "true")) { v->type = JSON_BOOL; v->number = 1; return v; }
    if (literal(ps, "false")) { v->type = JSON_BOOL; return v; }
    if (literal(ps, "null")) { v->type = JSON_NULL; return v; }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t n = 0;
        while (ps->p < ps->end && n < sizeof tmp - 1 && strchr("+-0123456789.eE", *ps->p)) tmp[n++] = *ps->p++;
        tmp[n] = 0;
        char *endp;
        v->type = JSON_NUMBER;
        v->number = strtod(tmp, &endp);
        if (*endp) { free(v); return fail(ps, "bad number"); }
        return v;
    }
    free(v);
    return fail(ps, "unexpected character");
}

struct json *json_parse(const char *text, size_t len, const char **error) {
    struct parser ps = { text, text + len, NULL, 0 };
    struct json *v = parse_value(&ps);
    if (v) {
        skip_ws(&ps);
        if (ps.p != ps.end) { json_free(v); v = NULL; fail(&ps, "trailing characters after the JSON value"); }
    }
    if (!v && error) *error = ps.error ? ps.error : "malformed JSON";
    return v;
}

void json_free(struct json *v) {
    if (!v) return;
    for (size_t i = 0; (v->type == JSON_ARRAY || v->type == JSON_OBJECT) && i < v->length; i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const struct json *json_get(const struct json *o, const char *key) {
    if (!o || o->type != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < o->length; i++)
        if (strcmp(o->keys[i], key) == 0) return o->items[i];
    return NULL;
}

const char *json_get_string(const struct json *o, const char *key) {
    const struct json *v = json_get(o, key);
    return v && v->type == JSON_STRING ? v->string : NULL;
}

/* ---- writer ---- */

void jbuf_append(struct jbuf *b, const char *bytes, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data) { perror("agent: out of memory"); exit(70); }
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = 0;
}

void jbuf_str(struct jbuf *b, const char *s) { jbuf_append(b, s, strlen(s)); }

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len; unsigned cp;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp < 0xE000)) return 0;
    return len;
}

int jbuf_quoted(struct jbuf *b, const char *s, size_t n) {
    int replaced = 0;
    jbuf_append(b, "\"", 1);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        char esc[8];
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; jbuf_append(b, esc, 2); i++; }
        else if (c == '\n') { jbuf_append(b, "\\n", 2); i++; }
        else if (c == '\r') { jbuf_append(b, "\\r", 2); i++; }
        else if (c == '\t') { jbuf_append(b, "\\t", 2); i++; }
        else if (c < 0x20 || c == 0x7F) { snprintf(esc, sizeof esc, "\\u%04x", c); jbuf_append(b, esc, 6); i++; }
        else {
            size_t len = utf8_len(u + i, n - i);
            if (len == 0) { jbuf_append(b, "\xEF\xBF\xBD", 3); i++; replaced = 1; }
            else { jbuf_append(b, s + i, len); i += len; }
        }
    }
    jbuf_append(b, "\"", 1);
    return replaced;
}

void jbuf_free(struct jbuf *b) { free(b->data); b->data = NULL; b->len = b->cap = 0; }

void jw_begin(struct jwriter *w) { memset(w, 0, sizeof *w); jbuf_str(&w->buf, "{"); }

static void jw_key(struct jwriter *w, const char *key) {
    if (w->members++) jbuf_str(&w->buf, ",");
    jbuf_quoted(&w->buf, key, strlen(key));
    jbuf_str(&w->buf, ":");
}

int jw_string(struct jwriter *w, const char *key, const char *value, size_t n) {
    jw_key(w, key);
    return jbuf_quoted(&w->buf, value, n);
}

void jw_int(struct jwriter *w, const char *key, long long value) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", value);
    jw_key(w, key);
    jbuf_str(&w->buf, tmp);
}

void jw_bool(struct jwriter *w, const char *key, int value) { jw_key(w, key); jbuf_str(&w->buf, value ? "true" : "false"); }
void jw_null(struct jwriter *w, const char *key) { jw_key(w, key); jbuf_str(&w->buf, "null"); }
void jw_raw(struct jwriter *w, const char *key, const char *json) { jw_key(w, key); jbuf_str(&w->buf, json); }
void jw_end(struct jwriter *w) { jbuf_str(&w->buf, "}"); }
