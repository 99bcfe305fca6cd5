#include "json.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reader: recursive descent over a bounded buffer, every value in one arena ---- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct json_doc {
    struct arena_block *blocks;
    struct json *root;
};

#define ARENA_BLOCK_BYTES (64u << 10)

static void out_of_memory(void) {
    perror("agent: out of memory");
    exit(70);
}

static void *arena_alloc(struct json_doc *doc, size_t size) {
    size = (size + 15) & ~(size_t)15;
    struct arena_block *b = doc->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
        b = malloc(sizeof *b + cap);
        if (!b) out_of_memory();
        b->next = doc->blocks;
        b->used = 0;
        b->cap = cap;
        doc->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

struct parser {
    const char *p, *end;
    const char *error;
    int depth;
    size_t values;
    struct json_doc *doc;
    /* members of the containers being read, moved into the arena when each one closes */
    struct json **stack;
    char **key_stack;
    size_t sp, cap;
};

static void skip_ws(struct parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static struct json *fail(struct parser *ps, const char *message) {
    if (!ps->error) ps->error = message;
    return NULL;
}

static struct json *new_value(struct parser *ps, enum json_type type) {
    if (++ps->values > JSON_MAX_VALUES) return fail(ps, "too many values (the limit is 262144 per frame)");
    struct json *v = arena_alloc(ps->doc, sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = type;
    return v;
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

/*
 * Parses a string at ps->p (the opening quote). The closing quote is found first, so the result takes exactly
 * the string's own length (escapes only shrink it), never the rest of the input.
 */
static char *parse_string_raw(struct parser *ps, size_t *out_len) {
    ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"') q += *q == '\\' ? 2 : 1;
    if (q >= ps->end) { fail(ps, "unterminated string"); return NULL; }
    char *out = arena_alloc(ps->doc, (size_t)(q - ps->p) + 1);
    size_t n = 0;
    while (ps->p < q) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) { fail(ps, "control character in string"); return NULL; }
        if (c != '\\') { out[n++] = (char)c; continue; }
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
            if (q - ps->p < 4 || hex4(ps->p, &cp)) { fail(ps, "bad \\u escape"); return NULL; }
            ps->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                unsigned low;
                if (!hex4(ps->p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    ps->p += 6;
                }
            }
            n += put_utf8(out + n, cp); /* 6 input bytes always cover at most 4 output bytes */
            break;
        }
        default: fail(ps, "bad escape in string"); return NULL;
        }
    }
    ps->p = q + 1;
    out[n] = 0;
    *out_len = n;
    return out;
}

static struct json *parse_value(struct parser *ps);

static void push_member(struct parser *ps, struct json *item, char *key) {
    if (ps->sp == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 64;
        ps->stack = realloc(ps->stack, ps->cap * sizeof *ps->stack);
        ps->key_stack = realloc(ps->key_stack, ps->cap * sizeof *ps->key_stack);
        if (!ps->stack || !ps->key_stack) out_of_memory();
    }
    ps->stack[ps->sp] = item;
    ps->key_stack[ps->sp] = key;
    ps->sp++;
}

/* Moves the members pushed since `base` into the container's own arrays. */
static void close_container(struct parser *ps, struct json *v, size_t base) {
    size_t n = ps->sp - base;
    v->length = n;
    if (n) {
        v->items = arena_alloc(ps->doc, n * sizeof *v->items);
        memcpy(v->items, ps->stack + base, n * sizeof *v->items);
        if (v->type == JSON_OBJECT) {
            v->keys = arena_alloc(ps->doc, n * sizeof *v->keys);
            memcpy(v->keys, ps->key_stack + base, n * sizeof *v->keys);
        }
    }
    ps->sp = base;
    ps->depth--;
}

static struct json *parse_container(struct parser *ps, int object) {
    if (++ps->depth > JSON_MAX_DEPTH) return fail(ps, "nesting too deep");
    ps->p++;
    struct json *v = new_value(ps, object ? JSON_OBJECT : JSON_ARRAY);
    if (!v) return NULL;
    size_t base = ps->sp;
    char close = object ? '}' : ']';
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; close_container(ps, v, base); return v; }
    for (;;) {
        char *key = NULL;
        if (object) {
            skip_ws(ps);
            size_t klen;
            if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a string key");
            key = parse_string_raw(ps, &klen);
            if (!key) return NULL;
            if (strlen(key) != klen) return fail(ps, "NUL character in an object key");
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "expected ':'");
            ps->p++;
        }
        struct json *item = parse_value(ps);
        if (!item) return NULL;
        push_member(ps, item, key);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; close_container(ps, v, base); return v; }
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(struct parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) { ps->p += n; return 1; }
    return 0;
}

static int is_digit(const struct parser *ps, const char *p) { return p < ps->end && *p >= '0' && *p <= '9'; }

/* A number by JSON's grammar; integer literals that fit a long long are kept exactly. */
static struct json *parse_number(struct parser *ps) {
    const char *start = ps->p, *p = ps->p;
    int integer = 1;
    if (p < ps->end && *p == '-') p++;
    if (!is_digit(ps, p)) return fail(ps, "bad number");
    if (*p == '0') p++;
    else while (is_digit(ps, p)) p++;
    if (p < ps->end && *p == '.') {
        integer = 0;
        p++;
        if (!is_digit(ps, p)) return fail(ps, "bad number");
        while (is_digit(ps, p)) p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        integer = 0;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) p++;
        if (!is_digit(ps, p)) return fail(ps, "bad number");
        while (is_digit(ps, p)) p++;
    }
    char tmp[64];
    size_t n = (size_t)(p - start);
    if (n >= sizeof tmp) return fail(ps, "number too long");
    memcpy(tmp, start, n);
    tmp[n] = 0;
    struct json *v = new_value(ps, JSON_NUMBER);
    if (!v) return NULL;
    ps->p = p;
    v->number = strtod(tmp, NULL);
    if (integer) {
        errno = 0;
        long long i = strtoll(tmp, NULL, 10);
        if (errno == 0) { v->is_integer = 1; v->integer = i; }
    }
    return v;
}

static struct json *parse_value(struct parser *ps) {
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
    char c = *ps->p;
    if (c == '{') return parse_container(ps, 1);
    if (c == '[') return parse_container(ps, 0);
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(ps);
    struct json *v;
    if (c == '"') {
        if (!(v = new_value(ps, JSON_STRING))) return NULL;
        v->string = parse_string_raw(ps, &v->length);
        return v->string ? v : NULL;
    }
    if (literal(ps, "true")) { if ((v = new_value(ps, JSON_BOOL))) v->number = 1; return v; }
    if (literal(ps, "false")) return new_value(ps, JSON_BOOL);
    if (literal(ps, "null")) return new_value(ps, JSON_NULL);
    return fail(ps, "unexpected character");
}

void json_doc_free(struct json_doc *doc) {
    if (!doc) return;
    for (struct arena_block *b = doc->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(doc);
}

struct json_doc *json_parse(const char *text, size_t len, const char **error) {
    struct json_doc *doc = calloc(1, sizeof *doc);
    if (!doc) out_of_memory();
    struct parser ps = { .p = text, .end = text + len, .doc = doc };
    doc->root = parse_value(&ps);
    if (doc->root) {
        skip_ws(&ps);
        if (ps.p != ps.end) { doc->root = NULL; fail(&ps, "trailing characters after the JSON value"); }
    }
    free(ps.stack);
    free(ps.key_stack);
    if (!doc->root) {
        if (error) *error = ps.error ? ps.error : "malformed JSON";
        json_doc_free(doc);
        return NULL;
    }
    return doc;
}

const struct json *json_root(const struct json_doc *doc) { return doc->root; }

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

int utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] == 0) return 0;
        size_t len = utf8_len(u + i, n - i);
        if (len == 0) return 0;
        i += len;
    }
    return 1;
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

void jw_cstring(struct jwriter *w, const char *key, const char *value) { jw_string(w, key, value, strlen(value)); }

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
