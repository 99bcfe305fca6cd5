/* The net_config request: the guest's network interface, routes, resolver and hosts file. */
#ifndef AGENT_NET_H
#define AGENT_NET_H

#include "handlers.h"
#include "json.h"

/*
 * {"type":"net_config", "address":"10.0.2.15", "prefix":24, "gateway":"10.0.2.2", "mtu":1500,
 *  "dns":["10.0.2.3"], "hostname":"box", "hosts":[{"address":"10.0.2.100","names":["a.test"]}]}
 * Brings lo up; with an address also eth0 (address, netmask, MTU, up) and the default route via the gateway;
 * writes /etc/resolv.conf (dns, possibly none) and /etc/hosts, each atomically; sets the hostname.
 */
struct response handle_net_config(const char *id, const struct json *request);

#endif
