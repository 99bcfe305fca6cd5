/*
 * libagentkernel-netpolicy.so: preloaded into QEMU (LD_PRELOAD) for a sandbox in the default network mode.
 * QEMU 7.2's user network (libslirp) sends every guest connection to an address of its virtual network
 * (the gateway 10.0.2.2, and any other) to the host's 127.0.0.1, and does not expose libslirp's switch
 * for that. This library refuses, inside QEMU, each outgoing connect() and datagram whose destination is a
 * loopback, unspecified, link-local or multicast address, and with AGENTKERNEL_NET_POLICY=host also every
 * address of the host itself: libslirp turns the refusal into a TCP reset (or an ICMP unreachable) for the
 * guest, so the attempt fails at once. The host is a host, not a host name: names never reach here.
 *
 * Datagrams from sockets QEMU bound itself (the published UDP ports' listening sockets) are let through,
 * since their peers are the host's clients that sent to the published port; the guest's own flows use
 * sockets libslirp never binds.
 *
 * Environment (read once, then removed so that programs QEMU starts do not inherit the library):
 *   AGENTKERNEL_NET_POLICY       loopback | host
 *   AGENTKERNEL_NET_POLICY_MARK  a file written when QEMU loaded the library ("PID MODE"), so the host can check
 *                                that the monitor's own process has it
 *   AGENTKERNEL_NET_POLICY_LOG   the sandbox's network log: one line per refusal
 * The system calls are made directly, so the library needs nothing of the C library but the oldest symbols.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRACKED_FD 65536
#define MAX_LOG_BYTES (16L << 20)

static int active;                 /* a policy was asked for */
static int deny_host;              /* also the host's own addresses */
static char log_path[4096];
static unsigned char bound[MAX_TRACKED_FD / 8];

__attribute__((constructor))
static void load(void) {
    const char *policy = getenv("AGENTKERNEL_NET_POLICY");
    if (!policy) return;
    /* Programs before QEMU in the chain (setsid execs it) load the library too: they leave the environment
       alone, so QEMU gets it, and write no mark, so the host's check sees QEMU's own. */
    if (strncmp(program_invocation_short_name, "qemu-system", 11) != 0) return;
    active = 1;
    deny_host = strcmp(policy, "host") == 0;
    const char *log = getenv("AGENTKERNEL_NET_POLICY_LOG");
    if (log && strlen(log) < sizeof log_path) strcpy(log_path, log);
    const char *mark = getenv("AGENTKERNEL_NET_POLICY_MARK");
    if (mark) {
        int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char line[64];
            int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), deny_host ? "host" : "loopback");
            ssize_t ignored = write(fd, line, (size_t)n);
            (void)ignored;
            close(fd);
        }
    }
    unsetenv("LD_PRELOAD");
    unsetenv("AGENTKERNEL_NET_POLICY");
    unsetenv("AGENTKERNEL_NET_POLICY_MARK");
    unsetenv("AGENTKERNEL_NET_POLICY_LOG");
}

static void mark_bound(int fd, int value) {
    if (fd < 0 || fd >= MAX_TRACKED_FD) return;
    if (value) bound[fd / 8] |= (unsigned char)(1u << (fd % 8));
    else bound[fd / 8] &= (unsigned char)~(1u << (fd % 8));
}

static int is_bound(int fd) {
    return fd >= 0 && fd < MAX_TRACKED_FD && (bound[fd / 8] & (1u << (fd % 8)));
}

static int special_v4(uint32_t a) { /* host byte order */
    return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xA9FE || (a >> 28) == 0xE || a == 0xFFFFFFFFu;
}

static int host_address(const struct sockaddr *sa) {
    struct ifaddrs *list, *i;
    if (getifaddrs(&list) != 0) return 1; /* cannot tell: refuse */
    int found = 0;
    for (i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != sa->sa_family) continue;
        if (sa->sa_family == AF_INET)
            found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
        else
            found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
    freeifaddrs(list);
    return found;
}

/* Why a destination is refused, or NULL. */
static const char *refusal(const struct sockaddr *sa, socklen_t len) {
    if (!active || !sa) return NULL;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        if (special_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)))
            return "a loopback, link-local or multicast address of the host";
    } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a))
            return "a loopback, link-local or multicast address of the host";
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            uint32_t v4;
            memcpy(&v4, a->s6_addr + 12, 4);
            if (special_v4(ntohl(v4))) return "a loopback, link-local or multicast address of the host";
        }
    } else {
        return NULL; /* Unix sockets (QEMU's own chardevs), netlink...: not the guest's */
    }
    if (deny_host && host_address(sa)) return "an address of the host itself (--no-host-access)";
    return NULL;
}

static void log_refusal(const char *what, const struct sockaddr *sa, const char *why) {
    if (!log_path[0]) return;
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size < MAX_LOG_BYTES) {
        char address[INET6_ADDRSTRLEN] = "?", line[512];
        int port;
        if (sa->sa_family == AF_INET) {
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, address, sizeof address);
            port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        } else {
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, address, sizeof address);
            port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
        }
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ netpolicy: ", &tm);
        int m = snprintf(line + n, sizeof line - n, "refused %s to %s port %d (%s)\n", what, address, port, why);
        if (m > 0) {
            ssize_t ignored = write(fd, line, n + (size_t)m < sizeof line ? n + (size_t)m : sizeof line);
            (void)ignored;
        }
    }
    close(fd);
}

int socket(int domain, int type, int protocol) {
    int fd = (int)syscall(SYS_socket, domain, type, protocol);
    mark_bound(fd, 0); /* a number reused from a closed bound socket starts unmarked */
    return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    int r = (int)syscall(SYS_bind, fd, addr, len);
    if (r == 0) mark_bound(fd, 1);
    return r;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    const char *why = refusal(addr, len);
    if (why) {
        log_refusal("a connection", addr, why);
        errno = ECONNREFUSED;
        return -1;
    }
    return (int)syscall(SYS_connect, fd, addr, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len) {
    const char *why = is_bound(fd) ? NULL : refusal(addr, len);
    if (why) {
        log_refusal("a datagram", addr, why);
        errno = EHOSTUNREACH;
        return -1;
    }
    return syscall(SYS_sendto, fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    const char *why = msg && !is_bound(fd) ? refusal(msg->msg_name, msg->msg_namelen) : NULL;
    if (why) {
        log_refusal("a datagram", msg->msg_name, why);
        errno = EHOSTUNREACH;
        return -1;
    }
    return syscall(SYS_sendmsg, fd, msg, flags);
}
