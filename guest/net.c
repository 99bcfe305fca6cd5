/*
 * net_config: configures the guest's network with ioctls only, since many images have no `ip` or
 * `ifconfig`: lo up, eth0 address, netmask, MTU and up, the default route, then /etc/resolv.conf and
 * /etc/hosts (each written to a temporary file and renamed, so a reader never sees half a file) and the
 * hostname. Everything in the request is checked before anything is changed.
 */
#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define NET_INTERFACE "eth0"
#define MAX_DNS 3          /* what resolv.conf readers take (MAXNS) */
#define MAX_HOSTS 64
#define MAX_NAMES 16
#define MAX_NAME 253

struct net_request {
    int has_address;
    struct in_addr address, netmask, gateway;
    int has_gateway;
    int mtu;
    const char *dns[MAX_DNS];
    size_t dns_count;
    const char *hostname;
    const struct json *hosts;
};

/* A host name or hostname: letters, digits, '-', '_' and '.', labels of 1..63 bytes, 253 bytes in all. */
static int valid_name(const char *s) {
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0) return 0;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
        if (++label > 63) return 0;
    }
    return 1;
}

static int valid_ip(const char *s) {
    unsigned char buf[sizeof(struct in6_addr)];
    return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* Reads and checks the request; NULL on success, else what is wrong (into message). */
static const char *parse(const struct json *request, struct net_request *out, char *message, size_t size) {
    memset(out, 0, sizeof *out);
    const struct json *address = json_get(request, "address");
    if (address && address->type != JSON_NULL) {
        if (address->type != JSON_STRING || inet_pton(AF_INET, address->string, &out->address) != 1)
            return "address must be an IPv4 address";
        const struct json *prefix = json_get(request, "prefix");
        if (!prefix || prefix->type != JSON_NUMBER || prefix->number < 0 || prefix->number > 32
                || prefix->number != (int)prefix->number)
            return "prefix must be a number from 0 to 32";
        int bits = (int)prefix->number;
        out->netmask.s_addr = bits == 0 ? 0 : htonl(0xFFFFFFFFu << (32 - bits));
        out->has_address = 1;
        const char *gateway = json_get_string(request, "gateway");
        if (gateway) {
            if (inet_pton(AF_INET, gateway, &out->gateway) != 1) return "gateway must be an IPv4 address";
            out->has_gateway = 1;
        }
        const struct json *mtu = json_get(request, "mtu");
        if (mtu && mtu->type != JSON_NULL) {
            if (mtu->type != JSON_NUMBER || mtu->number < 68 || mtu->number > 65535) return "mtu must be 68..65535";
            out->mtu = (int)mtu->number;
        }
    }
    const struct json *dns = json_get(request, "dns");
    if (dns && dns->type != JSON_NULL) {
        if (dns->type != JSON_ARRAY) return "dns must be an array of addresses";
        if (dns->length > MAX_DNS) return "dns takes at most 3 addresses";
        for (size_t i = 0; i < dns->length; i++) {
            if (dns->items[i]->type != JSON_STRING || !valid_ip(dns->items[i]->string))
                return "dns must be an array of IP addresses";
            out->dns[out->dns_count++] = dns->items[i]->string;
        }
    }
    out->hostname = json_get_string(request, "hostname");
    if (out->hostname && (!valid_name(out->hostname) || strlen(out->hostname) > 63))
        return "hostname must be 1..63 letters, digits, '-', '_' or '.'";
    const struct json *hosts = json_get(request, "hosts");
    if (hosts && hosts->type != JSON_NULL) {
        if (hosts->type != JSON_ARRAY || hosts->length > MAX_HOSTS) return "hosts must be an array of at most 64 entries";
        for (size_t i = 0; i < hosts->length; i++) {
            const struct json *entry = hosts->items[i];
            const char *ip = entry->type == JSON_OBJECT ? json_get_string(entry, "address") : NULL;
            const struct json *names = entry->type == JSON_OBJECT ? json_get(entry, "names") : NULL;
            if (!valid_ip(ip) || !names || names->type != JSON_ARRAY || names->length == 0 || names->length > MAX_NAMES) {
                snprintf(message, size, "hosts entry %zu needs an IP address and 1..%d names", i, MAX_NAMES);
                return message;
            }
            for (size_t j = 0; j < names->length; j++) {
                if (names->items[j]->type != JSON_STRING || !valid_name(names->items[j]->string)) {
                    snprintf(message, size, "hosts entry %zu has a name that is not a host name", i);
                    return message;
                }
            }
        }
        out->hosts = hosts;
    }
    return NULL;
}

static int ifreq_for(struct ifreq *ifr, const char *name) {
    memset(ifr, 0, sizeof *ifr);
    if (strlen(name) >= sizeof ifr->ifr_name) return -1;
    strcpy(ifr->ifr_name, name);
    return 0;
}

static int set_up(int sock, const char *name) {
    struct ifreq ifr;
    if (ifreq_for(&ifr, name) != 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) return -1;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

static int set_ipv4(int sock, const char *name, unsigned long request, struct in_addr value) {
    struct ifreq ifr;
    if (ifreq_for(&ifr, name) != 0) return -1;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr = value;
    return ioctl(sock, request, &ifr);
}

static int set_mtu(int sock, const char *name, int mtu) {
    struct ifreq ifr;
    if (ifreq_for(&ifr, name) != 0) return -1;
    ifr.ifr_mtu = mtu;
    return ioctl(sock, SIOCSIFMTU, &ifr);
}

static int add_default_route(int sock, struct in_addr gateway) {
    struct rtentry route;
    memset(&route, 0, sizeof route);
    struct sockaddr_in *dst = (struct sockaddr_in *)&route.rt_dst;
    struct sockaddr_in *gw = (struct sockaddr_in *)&route.rt_gateway;
    struct sockaddr_in *mask = (struct sockaddr_in *)&route.rt_genmask;
    dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
    gw->sin_addr = gateway;
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    route.rt_dev = (char *)NET_INTERFACE;
    if (ioctl(sock, SIOCADDRT, &route) != 0 && errno != EEXIST) return -1;
    return 0;
}

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes path through a temporary sibling and rename; 0 or -1 with errno. */
/*
 * Replaced by a rename, so a reader sees the old file or the new one. No fsync: both files are written anew at
 * every start of the sandbox, so one lost to a crash costs nothing, while two flushes through the virtual disk
 * took most of the 70-100 ms this request took after a restore.
 */
static int write_atomically(const char *path, const char *content, size_t len) {
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.agentkernel-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return -1;
    int ok = write_all(fd, content, len) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) { ok = 0; e = errno; }
    if (ok && rename(tmp, path) == 0) return 0;
    if (ok) e = errno;
    unlink(tmp);
    errno = e;
    return -1;
}

static void resolv_conf(const struct net_request *r, struct jbuf *out) {
    jbuf_str(out, "# written by agentkernel\n");
    if (r->dns_count == 0) jbuf_str(out, "# no resolver in the guest: names are resolved on the host, by its proxy\n");
    for (size_t i = 0; i < r->dns_count; i++) {
        jbuf_str(out, "nameserver ");
        jbuf_str(out, r->dns[i]);
        jbuf_str(out, "\n");
    }
}

static void hosts_file(const struct net_request *r, struct jbuf *out) {
    jbuf_str(out, "# written by agentkernel\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    if (r->hostname) {
        jbuf_str(out, "127.0.1.1\t");
        jbuf_str(out, r->hostname);
        jbuf_str(out, "\n");
    }
    for (size_t i = 0; r->hosts && i < r->hosts->length; i++) {
        const struct json *entry = r->hosts->items[i];
        const struct json *names = json_get(entry, "names");
        jbuf_str(out, json_get_string(entry, "address"));
        for (size_t j = 0; j < names->length; j++) {
            jbuf_str(out, j == 0 ? "\t" : " ");
            jbuf_str(out, names->items[j]->string);
        }
        jbuf_str(out, "\n");
    }
}

/* Writes the file from content (freed); NULL or the errno text. */
static const char *write_content(const char *path, struct jbuf *content) {
    int failed = write_atomically(path, content->data ? content->data : "", content->len) != 0;
    int e = errno;
    jbuf_free(content);
    return failed ? strerror(e) : NULL;
}

struct response handle_net_config(const char *id, const struct json *request) {
    struct net_request r;
    char message[160];
    const char *problem = parse(request, &r, message, sizeof message);
    if (problem) return error_response(id, "net_config: %s", problem);

    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return error_response(id, "net_config: socket: %s", strerror(errno));
    const char *step = NULL;
    if (set_up(sock, "lo") != 0) step = "bring lo up";
    else if (r.has_address) {
        struct ifreq probe;
        if (ifreq_for(&probe, NET_INTERFACE) != 0 || ioctl(sock, SIOCGIFINDEX, &probe) != 0) {
            close(sock);
            return error_response(id, "net_config: the guest has no network interface " NET_INTERFACE
                            " (is virtio_net in the kernel or its initramfs?)");
        }
        if (set_ipv4(sock, NET_INTERFACE, SIOCSIFADDR, r.address) != 0) step = "set the address of " NET_INTERFACE;
        else if (set_ipv4(sock, NET_INTERFACE, SIOCSIFNETMASK, r.netmask) != 0) step = "set the netmask of " NET_INTERFACE;
        else if (r.mtu && set_mtu(sock, NET_INTERFACE, r.mtu) != 0) step = "set the MTU of " NET_INTERFACE;
        else if (set_up(sock, NET_INTERFACE) != 0) step = "bring " NET_INTERFACE " up";
        else if (r.has_gateway && add_default_route(sock, r.gateway) != 0) step = "add the default route";
    }
    int e = errno;
    close(sock);
    if (step) return error_response(id, "net_config: cannot %s: %s", step, strerror(e));

    if (r.hostname && sethostname(r.hostname, strlen(r.hostname)) != 0)
        return error_response(id, "net_config: cannot set the hostname: %s", strerror(errno));
    struct jbuf content = { 0 };
    resolv_conf(&r, &content);
    const char *error = write_content("/etc/resolv.conf", &content);
    if (error) return error_response(id, "net_config: cannot write /etc/resolv.conf: %s", error);
    hosts_file(&r, &content);
    error = write_content("/etc/hosts", &content);
    if (error) return error_response(id, "net_config: cannot write /etc/hosts: %s", error);
    return ok_response(id, 0);
}
