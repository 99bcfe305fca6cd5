#define _GNU_SOURCE
/*
 * configure: what differs per sandbox, set by the host after every start and above all after a restore from a
 * memory snapshot, where the guest would otherwise carry the snapshot's state. Each field is optional:
 *   entropy_base64   16..512 bytes of host entropy: added to the kernel's input pool (RNDADDENTROPY, credited)
 *                    and the kernel's random generator reseeded at once (RNDRESEEDCRNG), so two guests restored
 *                    from one snapshot never share /dev/urandom or getrandom() output
 *   time_sec, time_nsec  the host's wall clock (CLOCK_REALTIME), which a restored guest has from the snapshot
 *   hostname         1..64 bytes of [A-Za-z0-9._-]
 * Nothing is changed unless every field is valid; the first failing step is the error.
 */
#include "configure.h"

#include "base64.h"
#include "fields.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* From <linux/random.h>, which musl's headers lack: _IOW('R', 0x03, int[2]) and _IO('R', 0x07). */
#define AGENT_RNDADDENTROPY 0x40085203
#define AGENT_RNDRESEEDCRNG 0x5207
#define MIN_ENTROPY 16
#define MAX_ENTROPY 512
#define MAX_HOSTNAME 64

static int valid_hostname(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > MAX_HOSTNAME) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
              || c == '.'))
            return 0;
    }
    return 1;
}

/* Adds the bytes to the input pool, crediting them, then reseeds the generator from it. */
static int reseed(const unsigned char *bytes, size_t n, char *error, size_t size) {
    struct {
        int entropy_count;
        int buf_size;
        unsigned char buf[MAX_ENTROPY];
    } pool;
    pool.entropy_count = (int)(n * 8);
    pool.buf_size = (int)n;
    memcpy(pool.buf, bytes, n);
    int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(error, size, "cannot open /dev/urandom: %s", strerror(errno)); return -1; }
    int r = ioctl(fd, AGENT_RNDADDENTROPY, &pool);
    if (r != 0) snprintf(error, size, "RNDADDENTROPY: %s", strerror(errno));
    else if ((r = ioctl(fd, AGENT_RNDRESEEDCRNG)) != 0) snprintf(error, size, "RNDRESEEDCRNG: %s", strerror(errno));
    explicit_bzero(&pool, sizeof pool);
    close(fd);
    return r;
}

struct response handle_configure(const char *id, const struct json *request) {
    struct field_error err;
    const char *entropy_text, *hostname;
    long long sec, nsec;
    if (field_string(request, "entropy_base64", 0, &entropy_text, &err)
        || field_string(request, "hostname", 0, &hostname, &err)
        || field_int(request, "time_sec", -1, 1LL << 40, -1, &sec, &err)
        || field_int(request, "time_nsec", 0, 999999999, 0, &nsec, &err))
        return error_response(id, "configure: %s", err.message);
    if (hostname && !valid_hostname(hostname))
        return error_response(id, "configure: hostname must be 1-%d letters, digits, '.', '-' or '_'", MAX_HOSTNAME);
    unsigned char *entropy = NULL;
    size_t entropy_len = 0;
    if (entropy_text) {
        if (strlen(entropy_text) > 4 * MAX_ENTROPY / 3 + 4
            || !(entropy = base64_decode(entropy_text, strlen(entropy_text), &entropy_len)))
            return error_response(id, "configure: entropy_base64 is not valid base64 of at most %d bytes", MAX_ENTROPY);
        if (entropy_len < MIN_ENTROPY || entropy_len > MAX_ENTROPY) {
            free(entropy);
            return error_response(id, "configure: entropy_base64 must hold %d to %d bytes, not %zu", MIN_ENTROPY,
                                  MAX_ENTROPY, entropy_len);
        }
    }
    char error[256];
    if (entropy) {
        int r = reseed(entropy, entropy_len, error, sizeof error);
        explicit_bzero(entropy, entropy_len);
        free(entropy);
        if (r != 0) return error_response(id, "configure: %s", error);
    }
    if (sec >= 0) {
        struct timespec ts = { (time_t)sec, (long)nsec };
        if (clock_settime(CLOCK_REALTIME, &ts) != 0)
            return error_response(id, "configure: cannot set the clock: %s", strerror(errno));
    }
    if (hostname && sethostname(hostname, strlen(hostname)) != 0)
        return error_response(id, "configure: cannot set the hostname: %s", strerror(errno));
    struct jwriter w;
    response_begin(&w, id);
    jw_int(&w, "exit_code", 0);
    jw_bool(&w, "reseeded", entropy_len > 0);
    return response_finish(&w, 0);
}
