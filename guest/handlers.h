/* Request handlers: one JSON request in, one JSON response out. */
#ifndef AGENT_HANDLERS_H
#define AGENT_HANDLERS_H

#include <stddef.h>
#include <stdint.h>

#define MAX_REQUEST_BYTES (16u << 20)      /* larger frames are dropped and answered with an error */
#define MAX_READ_FILE_BYTES (12u << 20)    /* base64 of this still fits a frame the host accepts */
#define DEFAULT_OUTPUT_LIMIT (1u << 20)    /* per stream; a request may ask for up to MAX_OUTPUT_LIMIT */
#define MAX_OUTPUT_LIMIT (8u << 20)

struct response {
    char *json;      /* malloc'd */
    size_t len;
    int shutdown;    /* the peer asked to power off: send the response, then power off */
};

/* Handles one frame payload (not necessarily valid JSON) and always produces a response. */
struct response handle_request(const char *payload, size_t len);
/* The response to a frame that was too large to read. */
struct response oversized_response(uint32_t len);

#endif
