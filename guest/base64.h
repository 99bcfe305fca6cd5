/* Standard base64 (RFC 4648, with padding), as Java's Base64.getEncoder() writes it. */
#ifndef AGENT_BASE64_H
#define AGENT_BASE64_H

#include <stddef.h>

/* Returns a malloc'd NUL-terminated encoding of n bytes. */
char *base64_encode(const unsigned char *data, size_t n, size_t *out_len);
/* Returns malloc'd bytes, or NULL when text is not valid base64. */
unsigned char *base64_decode(const char *text, size_t n, size_t *out_len);

#endif
