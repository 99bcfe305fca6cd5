/* Requests that need no connection state: one JSON request in, one JSON response out. */
#ifndef AGENT_HANDLERS_H
#define AGENT_HANDLERS_H

#include "json.h"

#include <stddef.h>
#include <stdint.h>

#define AGENT_VERSION "2.0.0"
#define AGENT_PROTOCOL 2
#define MAX_READ_FILE_BYTES (12u << 20)    /* base64 of this still fits a frame the host accepts */
#define DEFAULT_OUTPUT_LIMIT (1u << 20)    /* per stream; a request may ask for up to MAX_OUTPUT_LIMIT */
#define MAX_OUTPUT_LIMIT (8u << 20)

struct response {
    char *json;      /* malloc'd */
    size_t len;
    int shutdown;    /* the peer asked to power off: send the response, then power off */
};

/* Handles a request of `type` (id is not NULL); unknown types get an error response. */
struct response handle_request(const char *id, const char *type, const struct json *request);

/* Building responses: begin (with the id, null when NULL), members, finish. */
void response_begin(struct jwriter *w, const char *id);
struct response response_finish(struct jwriter *w, int shutdown);
__attribute__((format(printf, 2, 3)))
struct response error_response(const char *id, const char *format, ...);
struct response ok_response(const char *id, int shutdown);

#endif
