/*
 * netproxy: the host side of a sandbox's network allowlist. QEMU's user network runs with restrict=on, so
 * the guest reaches nothing but its guestfwd addresses, and each guest connection to one of them starts
 * one netproxy (libslirp's "cmd:" forward) with the connection as stdin, stdout and stderr. netproxy reads
 * the name the guest asks for, checks it against the allowlist on its command line, and either refuses at
 * once (a 403 answer or a TLS alert, plus a line in the sandbox's log) or resolves the name on the host,
 * connects to one of its addresses (never a loopback, link-local or multicast address, nor one of the host's
 * own) and relays bytes both ways until both sides are done. No process stays behind: netproxy ends with
 * its connection, and QEMU's end closes every connection (libslirp spawns it detached, in a session of its own,
 * so the socket is the one tie to QEMU: a hang-up on it ends netproxy whatever upstream does; every wait before
 * the relay is bounded).
 *
 *   netproxy --mode proxy|http|tls --log FILE [--slots FILE] [--max N] [--allow PATTERN]... [--dns IP]...
 *
 *   proxy  an HTTP proxy: CONNECT host:port (HTTPS, or any TCP), or an absolute-form http:// request
 *   http   plain HTTP to port 80, the name from the Host header
 *   tls    TLS to port 443, the name from the ClientHello's server_name (SNI)
 *
 * A PATTERN is a name (allowed.test), a wildcard for the names under a domain (*.example.com, which does not
 * match example.com itself) or an IP address (matched as written). --dns resolves with those servers (IPv4
 * A records) instead of the host's resolver. --slots caps concurrent connections by a byte-range lock per
 * connection on FILE (released when the process ends, however it ends).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADER 16384          /* an HTTP request head or a TLS ClientHello */
#define HEADER_WAIT_MS 15000      /* for the guest to send it */
#define CONNECT_WAIT_MS 10000     /* per upstream address */
#define DNS_WAIT_MS 2000          /* per query */
#define MAX_PATTERNS 256
#define MAX_DNS 3
#define MAX_ADDRESSES 16
#define MAX_LOG_BYTES (16L << 20) /* the log stops growing here: a guest cannot fill the disk with refusals */
#define RELAY_BUFFER 65536

enum mode { MODE_PROXY, MODE_HTTP, MODE_TLS };

static struct {
    enum mode mode;
    const char *log;
    const char *slots;
    int max_connections;
    const char *allow[MAX_PATTERNS];
    int allow_count;
    const char *dns[MAX_DNS];
    int dns_count;
} config = { .max_connections = 256 };

/* What the guest asked for. */
struct request {
    char host[256];
    int port;
    int connect;            /* CONNECT: answer 200 before relaying */
    char *forward;          /* bytes to send upstream first (the request as read, or rewritten) */
    size_t forward_len;
};

static char head[MAX_HEADER + 1];
static size_t head_len;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the sandbox's log ---- */

/* The name as it may appear in a log line: printable ASCII, at most 120 bytes. */
static void printable(const char *in, char *out, size_t size) {
    size_t i = 0;
    for (; in[i] && i + 1 < size && i < 120; i++) out[i] = in[i] > 32 && in[i] < 127 ? in[i] : '?';
    out[i] = 0;
}

__attribute__((format(printf, 1, 2)))
static void log_line(const char *format, ...) {
    if (!config.log) return;
    int fd = open(config.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size < MAX_LOG_BYTES) {
        char line[768];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ netproxy: ", &tm);
        va_list ap;
        va_start(ap, format);
        int m = vsnprintf(line + n, sizeof line - n - 1, format, ap);
        va_end(ap);
        n = m < 0 ? n : n + (size_t)m < sizeof line - 1 ? n + (size_t)m : sizeof line - 2;
        line[n++] = '\n';
        ssize_t ignored = write(fd, line, n); /* one write: lines of concurrent connections never interleave */
        (void)ignored;
    }
    close(fd);
}

/* ---- talking to the guest ---- */

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd p = { fd, POLLOUT, 0 };
            poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Refuses the guest's request: an HTTP 403 in the HTTP modes, a TLS access_denied alert in TLS mode. */
static void refuse(const char *host, int port, const char *reason, int status) {
    char name[128];
    printable(host && *host ? host : "(none)", name, sizeof name);
    log_line("%s %s:%d (%s)", status == 502 ? "failed" : "refused", name, port, reason);
    if (config.mode == MODE_TLS) {
        static const char alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x31 };
        write_all(0, alert, sizeof alert);
    } else {
        char body[400], answer[700];
        int b = snprintf(body, sizeof body, "agentkernel: %s:%d refused: %s\n", name, port, reason);
        int a = snprintf(answer, sizeof answer, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                         "Content-Length: %d\r\n\r\n%s", status, status == 403 ? "Forbidden" : status == 502
                         ? "Bad Gateway" : status == 503 ? "Service Unavailable" : "Bad Request", b, body);
        write_all(0, answer, (size_t)a);
    }
    shutdown(0, SHUT_WR);
    exit(0);
}

/* Reads from the guest until complete() says the head is whole; refuses a guest that is slow or sends too much. */
static void read_head(int (*complete)(void)) {
    long long deadline = now_ms() + HEADER_WAIT_MS;
    while (!complete()) {
        if (head_len >= MAX_HEADER) refuse(NULL, 0, "request head larger than 16 KiB", 400);
        long long left = deadline - now_ms();
        struct pollfd p = { 0, POLLIN, 0 };
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            if (head_len == 0) exit(0); /* the guest never said anything (a port scan): nothing to log */
            refuse(NULL, 0, "incomplete request", 400);
        }
        ssize_t n = read(0, head + head_len, MAX_HEADER - head_len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) exit(0); /* the guest went away */
        head_len += (size_t)n;
        head[head_len] = 0;
    }
}

/* ---- names and the allowlist ---- */

/* Lower-cases a host name in place and checks its characters; strips one trailing dot. 0 when it is fine. */
static int normalize_host(char *host) {
    size_t n = strlen(host);
    if (n > 0 && host[n - 1] == '.') host[--n] = 0;
    if (n == 0 || n > 253) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = host[i];
        if (c >= 'A' && c <= 'Z') host[i] = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':'))
            return -1;
    }
    return 0;
}

static int allowed(const char *host) {
    size_t n = strlen(host);
    for (int i = 0; i < config.allow_count; i++) {
        const char *p = config.allow[i];
        if (p[0] == '*' && p[1] == '.') {
            size_t s = strlen(p + 1); /* ".example.com" */
            if (n > s && strcasecmp(host + n - s, p + 1) == 0) return 1;
        } else if (strcasecmp(host, p) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Splits "host:port" or "[v6]:port" (port optional when default_port > 0) into req. 0 when it parses. */
static int parse_authority(const char *text, size_t len, int default_port, struct request *req) {
    char buf[300];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, text, len);
    buf[len] = 0;
    if (strchr(buf, '@')) return -1;
    char *host = buf, *port = NULL;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close) return -1;
        *close = 0;
        host = buf + 1;
        if (close[1] == ':') port = close + 2;
        else if (close[1]) return -1;
    } else {
        char *colon = strrchr(buf, ':');
        if (colon) {
            *colon = 0;
            port = colon + 1;
        }
    }
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*port == 0 || *end || p < 1 || p > 65535) return -1;
        req->port = (int)p;
    } else if (default_port > 0) {
        req->port = default_port;
    } else {
        return -1;
    }
    if (strlen(host) >= sizeof req->host) return -1;
    strcpy(req->host, host);
    return normalize_host(req->host);
}

/* ---- HTTP heads ---- */

static const char *head_end(void) {
    return strstr(head, "\r\n\r\n");
}

static int http_complete(void) {
    return head_end() != NULL;
}

/* The value of header `name` (case-insensitive) in the head, and its length; NULL when absent. */
static const char *header_value(const char *name, size_t *len) {
    size_t n = strlen(name);
    const char *end = head_end();
    for (const char *line = strstr(head, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1, *e = strstr(line, "\r\n");
            while (v < e && (*v == ' ' || *v == '\t')) v++;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
            *len = (size_t)(e - v);
            return v;
        }
    }
    return NULL;
}

static int hop_by_hop(const char *line) {
    static const char *names[] = { "connection:", "proxy-connection:", "keep-alive:", "proxy-authorization:" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strncasecmp(line, names[i], strlen(names[i])) == 0) return 1;
    return 0;
}

/*
 * An absolute-form request to the proxy, rewritten for the origin server: the request line in origin form,
 * the proxy's hop-by-hop headers dropped, and Connection: close, so the client's next request (perhaps for
 * another host) comes on a new connection that is checked again.
 */
static void rewrite_absolute(const char *method, size_t method_len, const char *path, size_t path_len,
                             const char *version, size_t version_len, struct request *req) {
    const char *end = head_end();
    size_t rest = head_len - (size_t)(end + 4 - head);
    char *out = malloc(head_len + 64);
    if (!out) exit(1);
    size_t n = 0;
    memcpy(out + n, method, method_len); n += method_len; out[n++] = ' ';
    memcpy(out + n, path, path_len); n += path_len; out[n++] = ' ';
    memcpy(out + n, version, version_len); n += version_len;
    memcpy(out + n, "\r\n", 2); n += 2;
    for (const char *line = strstr(head, "\r\n") + 2; line < end; ) {
        const char *next = strstr(line, "\r\n") + 2;
        if (!hop_by_hop(line)) { memcpy(out + n, line, (size_t)(next - line)); n += (size_t)(next - line); }
        line = next;
    }
    memcpy(out + n, "Connection: close\r\n\r\n", 21); n += 21;
    memcpy(out + n, end + 4, rest); n += rest;
    req->forward = out;
    req->forward_len = n;
}

static void read_http(struct request *req) {
    read_head(http_complete);
    const char *line_end = strstr(head, "\r\n");
    const char *sp1 = memchr(head, ' ', (size_t)(line_end - head));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) refuse(NULL, 0, "not an HTTP/1 request", 400);
    const char *target = sp1 + 1;
    size_t target_len = (size_t)(sp2 - target);
    size_t method_len = (size_t)(sp1 - head);
    int default_port = config.mode == MODE_HTTP ? 80 : 0;
    if (config.mode == MODE_PROXY && method_len == 7 && strncmp(head, "CONNECT", 7) == 0) {
        if (parse_authority(target, target_len, 0, req) != 0) refuse(NULL, 0, "malformed CONNECT target", 400);
        req->connect = 1;
        size_t used = (size_t)(head_end() + 4 - head);
        req->forward = head + used; /* bytes the client sent after the head: the start of its tunnel */
        req->forward_len = head_len - used;
        return;
    }
    if (config.mode == MODE_PROXY && target_len > 7 && strncasecmp(target, "http://", 7) == 0) {
        const char *authority = target + 7;
        const char *path = authority;
        while (path < sp2 && *path != '/' && *path != '?') path++;
        if (parse_authority(authority, (size_t)(path - authority), 80, req) != 0)
            refuse(NULL, 0, "malformed request target", 400);
        rewrite_absolute(head, method_len, path < sp2 ? path : "/", path < sp2 ? (size_t)(sp2 - path) : 1,
                         sp2 + 1, (size_t)(line_end - sp2 - 1), req);
        return;
    }
    if (config.mode == MODE_PROXY && target_len > 8 && strncasecmp(target, "https://", 8) == 0)
        refuse(NULL, 0, "https:// through an HTTP proxy needs CONNECT", 400);
    size_t host_len;
    const char *host = header_value("host", &host_len);
    if (!host) refuse(NULL, 0, "no Host header", 400);
    if (parse_authority(host, host_len, default_port ? default_port : 80, req) != 0)
        refuse(NULL, 0, "malformed Host header", 400);
    req->forward = head;
    req->forward_len = head_len;
}

/* ---- TLS ClientHello ---- */

/* The handshake bytes of the leading handshake records (what has arrived of them); -1 when it is not TLS. */
static long handshake_bytes(unsigned char *out, size_t cap) {
    if (head_len > 0 && (unsigned char)head[0] != 0x16) return -1;
    size_t off = 0, n = 0;
    while (off + 5 <= head_len && (unsigned char)head[off] == 0x16) {
        size_t record = (size_t)(unsigned char)head[off + 3] << 8 | (unsigned char)head[off + 4];
        size_t have = head_len - off - 5 < record ? head_len - off - 5 : record;
        if (have > cap - n) have = cap - n;
        memcpy(out + n, head + off + 5, have);
        n += have;
        off += 5 + record;
    }
    return (long)n;
}

static unsigned char handshake[MAX_HEADER];

static int tls_complete(void) {
    long n = handshake_bytes(handshake, sizeof handshake);
    if (n < 0) return 1; /* not TLS: parse says so */
    if (n < 4) return 0;
    size_t need = 4 + ((size_t)handshake[1] << 16 | (size_t)handshake[2] << 8 | handshake[3]);
    return (size_t)n >= need;
}

/* The server_name of the ClientHello in handshake[0..n), into host; 0 when there is one. */
static int client_hello_sni(size_t n, char *host, size_t size) {
    const unsigned char *p = handshake;
    if (n < 4 || p[0] != 1) return -1;
    size_t end = 4 + ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
    if (end > n) return -1;
    size_t i = 4 + 2 + 32;                                   /* version, random */
    if (i + 1 > end) return -1;
    i += 1 + p[i];                                           /* session id */
    if (i + 2 > end) return -1;
    i += 2 + ((size_t)p[i] << 8 | p[i + 1]);                 /* cipher suites */
    if (i + 1 > end) return -1;
    i += 1 + p[i];                                           /* compression methods */
    if (i + 2 > end) return -1;
    size_t ext_end = i + 2 + ((size_t)p[i] << 8 | p[i + 1]);
    if (ext_end > end) return -1;
    for (i += 2; i + 4 <= ext_end; ) {
        size_t type = (size_t)p[i] << 8 | p[i + 1], len = (size_t)p[i + 2] << 8 | p[i + 3];
        i += 4;
        if (i + len > ext_end) return -1;
        if (type == 0) {                                     /* server_name: list, then type, length, name */
            size_t j = i + 2;
            while (j + 3 <= i + len) {
                size_t name_len = (size_t)p[j + 1] << 8 | p[j + 2];
                if (j + 3 + name_len > i + len) return -1;
                if (p[j] == 0) {
                    if (name_len == 0 || name_len >= size) return -1;
                    memcpy(host, p + j + 3, name_len);
                    host[name_len] = 0;
                    if (memchr(host, 0, name_len)) return -1;
                    return 0;
                }
                j += 3 + name_len;
            }
            return -1;
        }
        i += len;
    }
    return -1;
}

static void read_tls(struct request *req) {
    read_head(tls_complete);
    long n = handshake_bytes(handshake, sizeof handshake);
    if (n < 0) refuse(NULL, 443, "not a TLS handshake", 400);
    if (client_hello_sni((size_t)n, req->host, sizeof req->host) != 0)
        refuse(NULL, 443, "no server name (SNI) in the TLS ClientHello", 400);
    req->port = 443;
    if (normalize_host(req->host) != 0) refuse(req->host, 443, "malformed server name", 400);
    req->forward = head;
    req->forward_len = head_len;
}

/* ---- where a name may lead ---- */

static int forbidden_v4(uint32_t a) { /* host byte order */
    return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xA9FE || (a >> 28) == 0xE || (a >> 28) == 0xF;
}

static int same_address(const struct sockaddr *a, const struct sockaddr *b) {
    if (a->sa_family != b->sa_family) return 0;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* Loopback, unspecified, link-local, multicast and reserved addresses, and every address of the host itself. */
static int forbidden(const struct sockaddr *sa, struct ifaddrs *own) {
    if (sa->sa_family == AF_INET) {
        if (forbidden_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr))) return 1;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a)
                || IN6_IS_ADDR_SITELOCAL(a))
            return 1;
        if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
            uint32_t v4;
            memcpy(&v4, a->s6_addr + 12, 4);
            if (forbidden_v4(ntohl(v4))) return 1;
        }
    } else {
        return 1;
    }
    for (struct ifaddrs *i = own; i; i = i->ifa_next)
        if (i->ifa_addr && same_address(i->ifa_addr, sa)) return 1;
    return 0;
}

/* ---- resolving ---- */

static size_t dns_skip_name(const unsigned char *m, size_t len, size_t off) {
    for (int labels = 0; off < len && labels < 128; labels++) {
        unsigned char b = m[off];
        if (b == 0) return off + 1;
        if ((b & 0xC0) == 0xC0) return off + 2 <= len ? off + 2 : 0;
        if (b & 0xC0) return 0;
        off += 1 + (size_t)b;
    }
    return 0;
}

/* IPv4 addresses of name from one DNS server (A records); how many, or -1 when it did not answer. */
static int dns_query(const char *server, const char *name, struct sockaddr_storage *out, int max) {
    struct sockaddr_storage to;
    memset(&to, 0, sizeof to);
    socklen_t to_len;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&to;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&to;
    if (inet_pton(AF_INET, server, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET; v4->sin_port = htons(53); to_len = sizeof *v4;
    } else if (inet_pton(AF_INET6, server, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6; v6->sin6_port = htons(53); to_len = sizeof *v6;
    } else {
        return -1;
    }
    unsigned char q[300];
    unsigned short id = (unsigned short)(getpid() ^ now_ms());
    size_t n = 0;
    q[n++] = (unsigned char)(id >> 8); q[n++] = (unsigned char)id;
    q[n++] = 0x01; q[n++] = 0x00;                   /* recursion desired */
    q[n++] = 0; q[n++] = 1; memset(q + n, 0, 6); n += 6;
    for (const char *label = name; *label; ) {
        const char *dot = strchr(label, '.');
        size_t l = dot ? (size_t)(dot - label) : strlen(label);
        if (l == 0 || l > 63 || n + l + 6 > sizeof q) return -1;
        q[n++] = (unsigned char)l;
        memcpy(q + n, label, l); n += l;
        label += l + (dot ? 1 : 0);
    }
    q[n++] = 0; q[n++] = 0; q[n++] = 1; q[n++] = 0; q[n++] = 1; /* type A, class IN */
    int s = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    int found = -1;
    for (int attempt = 0; attempt < 2 && found < 0; attempt++) {
        if (sendto(s, q, n, 0, (struct sockaddr *)&to, to_len) < 0) break;
        long long deadline = now_ms() + DNS_WAIT_MS;
        for (;;) {
            long long left = deadline - now_ms();
            struct pollfd p = { s, POLLIN, 0 };
            if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
            unsigned char m[1500];
            ssize_t len = recv(s, m, sizeof m, 0);
            if (len < 12 || ((m[0] << 8) | m[1]) != id || !(m[2] & 0x80)) continue; /* not our answer */
            found = 0;
            if ((m[3] & 0x0F) != 0) break;              /* NXDOMAIN, SERVFAIL...: no addresses */
            size_t off = dns_skip_name(m, (size_t)len, 12);
            if (off == 0 || off + 4 > (size_t)len) break;
            off += 4;
            int answers = (m[6] << 8) | m[7];
            for (int a = 0; a < answers && found < max; a++) {
                off = dns_skip_name(m, (size_t)len, off);
                if (off == 0 || off + 10 > (size_t)len) break;
                int type = (m[off] << 8) | m[off + 1], klass = (m[off + 2] << 8) | m[off + 3];
                size_t rdlen = (size_t)(m[off + 8] << 8 | m[off + 9]);
                off += 10;
                if (off + rdlen > (size_t)len) break;
                if (type == 1 && klass == 1 && rdlen == 4) {
                    struct sockaddr_in *a4 = (struct sockaddr_in *)&out[found++];
                    memset(a4, 0, sizeof *a4);
                    a4->sin_family = AF_INET;
                    memcpy(&a4->sin_addr, m + off, 4);
                }
                off += rdlen;
            }
            break;
        }
    }
    close(s);
    return found;
}

/* The host's addresses for req->host (literal, through --dns servers, or the host's resolver). */
static int resolve(const char *host, struct sockaddr_storage *out, int max) {
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) { v4->sin_family = AF_INET; return 1; }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) { v6->sin6_family = AF_INET6; return 1; }
    if (config.dns_count > 0) {
        for (int i = 0; i < config.dns_count; i++) {
            int n = dns_query(config.dns[i], host, out, max);
            if (n >= 0) return n;
        }
        return 0;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *list;
    if (getaddrinfo(host, NULL, &hints, &list) != 0) return 0;
    int n = 0;
    for (struct addrinfo *a = list; a && n < max; a = a->ai_next) {
        if (a->ai_addrlen <= sizeof *out) memcpy(&out[n++], a->ai_addr, a->ai_addrlen);
    }
    freeaddrinfo(list);
    return n;
}

static int connect_to(struct sockaddr_storage *addr, int port) {
    socklen_t len;
    if (addr->ss_family == AF_INET) { ((struct sockaddr_in *)addr)->sin_port = htons((unsigned short)port); len = sizeof(struct sockaddr_in); }
    else { ((struct sockaddr_in6 *)addr)->sin6_port = htons((unsigned short)port); len = sizeof(struct sockaddr_in6); }
    int s = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return -1;
    if (connect(s, (struct sockaddr *)addr, len) != 0 && errno != EINPROGRESS) { close(s); return -1; }
    struct pollfd p = { s, POLLOUT, 0 };
    int error = 0;
    socklen_t elen = sizeof error;
    if (poll(&p, 1, CONNECT_WAIT_MS) != 1 || getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &elen) != 0 || error) {
        close(s);
        errno = error ? error : ETIMEDOUT;
        return -1;
    }
    return s;
}

/* ---- relaying ---- */

struct direction {
    int from, to;
    char buf[RELAY_BUFFER];
    size_t off, len;
    int eof, done;
};

static void relay(int upstream) {
    static struct direction dirs[2];
    dirs[0].from = 0; dirs[0].to = upstream;
    dirs[1].from = upstream; dirs[1].to = 0;
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    while (!dirs[0].done || !dirs[1].done) {
        struct pollfd p[3];
        for (int d = 0; d < 2; d++) {
            struct direction *x = &dirs[d];
            p[d].fd = x->done ? -1 : x->len > 0 ? x->to : x->from;
            p[d].events = x->len > 0 ? POLLOUT : POLLIN;
            p[d].revents = 0;
        }
        /* Once the guest has half-closed, its side is watched for a hang-up only: QEMU closing the
           connection (the guest's close, or QEMU's end) must end this process even while upstream is silent. */
        p[2].fd = dirs[0].done ? 0 : -1;
        p[2].events = 0;
        p[2].revents = 0;
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL)) return;
        for (int d = 0; d < 2; d++) {
            struct direction *x = &dirs[d];
            if (x->done || !p[d].revents) continue;
            if (x->len == 0) {
                ssize_t n = read(x->from, x->buf, sizeof x->buf);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (n <= 0) {
                    if (n < 0) return; /* a reset: both sides end */
                    shutdown(x->to, SHUT_WR);
                    x->done = 1;
                    continue;
                }
                x->off = 0;
                x->len = (size_t)n;
            } else {
                ssize_t n = write(x->to, x->buf + x->off, x->len);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (n <= 0) return;
                x->off += (size_t)n;
                x->len -= (size_t)n;
            }
        }
    }
}

/* ---- start-up ---- */

static void usage(const char *problem) {
    fprintf(stderr, "netproxy: %s\nusage: netproxy --mode proxy|http|tls --log FILE [--slots FILE] [--max N]"
                    " [--allow PATTERN]... [--dns IP]...\n", problem);
    exit(2);
}

static void parse_args(int argc, char **argv) {
    int have_mode = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage("every option takes a value");
        const char *v = argv[++i];
        if (!strcmp(a, "--mode")) {
            have_mode = 1;
            if (!strcmp(v, "proxy")) config.mode = MODE_PROXY;
            else if (!strcmp(v, "http")) config.mode = MODE_HTTP;
            else if (!strcmp(v, "tls")) config.mode = MODE_TLS;
            else usage("unknown mode");
        } else if (!strcmp(a, "--log")) config.log = v;
        else if (!strcmp(a, "--slots")) config.slots = v;
        else if (!strcmp(a, "--max")) {
            config.max_connections = atoi(v);
            if (config.max_connections < 1 || config.max_connections > 65536) usage("--max must be 1..65536");
        } else if (!strcmp(a, "--allow")) {
            if (config.allow_count == MAX_PATTERNS) usage("too many --allow patterns");
            config.allow[config.allow_count++] = v;
        } else if (!strcmp(a, "--dns")) {
            if (config.dns_count == MAX_DNS) usage("at most 3 --dns servers");
            config.dns[config.dns_count++] = v;
        } else usage("unknown option");
    }
    if (!have_mode) usage("--mode is required");
}

/* Takes one connection slot (a write lock on one byte of the slots file); refuses when all are taken. */
static void take_slot(void) {
    if (!config.slots) return;
    int fd = open(config.slots, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    for (int i = 0; i < config.max_connections; i++) {
        struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i, .l_len = 1 };
        if (fcntl(fd, F_SETLK, &lock) == 0) return; /* held until this process ends */
    }
    refuse(NULL, 0, "too many connections at once", 503);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    /* stdout and stderr are the guest's connection too: nothing of ours may go there, and the copies of it
       the monitor leaked must not keep it open */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) { dup2(null, 1); dup2(null, 2); }
    if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0) {
        long max_fd = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max_fd > 0 && max_fd < 65536 ? max_fd : 65536); fd++) close(fd);
    }
    parse_args(argc, argv);
    take_slot();

    struct request req;
    memset(&req, 0, sizeof req);
    if (config.mode == MODE_TLS) read_tls(&req);
    else read_http(&req);
    if (!allowed(req.host)) refuse(req.host, req.port, "not on the sandbox's network allowlist", 403);

    struct sockaddr_storage addresses[MAX_ADDRESSES];
    int count = resolve(req.host, addresses, MAX_ADDRESSES);
    if (count <= 0) refuse(req.host, req.port, "the name does not resolve on the host", 502);
    struct ifaddrs *own = NULL;
    getifaddrs(&own);
    int upstream = -1, usable = 0, error = 0;
    for (int i = 0; i < count && upstream < 0; i++) {
        if (forbidden((struct sockaddr *)&addresses[i], own)) continue;
        usable++;
        upstream = connect_to(&addresses[i], req.port);
        if (upstream < 0) error = errno;
    }
    if (own) freeifaddrs(own);
    if (!usable) refuse(req.host, req.port, "it resolves only to the host's own, loopback or link-local addresses", 403);
    if (upstream < 0) refuse(req.host, req.port, strerror(error), 502);
    static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    if (req.connect && write_all(0, established, sizeof established - 1) != 0) return 0;
    if (req.forward_len > 0 && write_all(upstream, req.forward, req.forward_len) != 0) return 0;
    relay(upstream);
    return 0;
}
