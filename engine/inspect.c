// SPDX-License-Identifier: GPL-2.0-only
/* inspect.c - see inspect.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "inspect.h"

/* What each counter means for the frame that landed in it (names: vxfwd_abi.h). */
static const char *const counter_why[VXFWD_C_MAX] = {
	[VXFWD_C_RX] = "seen",
	[VXFWD_C_PASS] = "not mirror traffic: passed to the kernel untouched",
	[VXFWD_C_FORWARD] = "decapsulated, rewritten and sent out of egress",
	[VXFWD_C_DROP_NO_CONFIG] = "no ruleset is active yet",
	[VXFWD_C_DROP_OUTER_FRAG] = "the outer IPv4 packet is a fragment",
	[VXFWD_C_DROP_VXLAN_HDR] = "VXLAN header short, I flag clear or reserved bits set",
	[VXFWD_C_DROP_VNI] = "VNI not accepted: not in the ingress vni list",
	[VXFWD_C_DROP_INNER_NOT_IP] = "the inner frame is neither IPv4 nor IPv6",
	[VXFWD_C_DROP_INNER_MALFORMED] = "inner header short or lengths inconsistent",
	[VXFWD_C_DROP_INNER_TRUNCATED] = "inner IPv4 total length (IPv6: payload length) beyond the captured bytes",
	[VXFWD_C_DROP_INNER_CSUM] = "inner IPv4 header checksum wrong",
	[VXFWD_C_DROP_INNER_FRAG] = "the inner IPv4 packet is a fragment, or the IPv6 one has a fragment header",
	[VXFWD_C_DROP_INNER_PROTO] = "the inner packet is neither UDP nor TCP",
	[VXFWD_C_DROP_SRC_NOT_ALLOWED] = "source in no set, and no rule takes it",
	[VXFWD_C_DROP_NO_RULE] = "source allowed, but no rule matches",
	[VXFWD_C_DROP_NO_NEXTHOP] = "the DNAT target's MAC is not resolved on egress",
	[VXFWD_C_DROP_TOO_BIG] = "inner frame larger than the ring takes",
	[VXFWD_C_DROP_RING_FULL] = "no room in the ring",
	[VXFWD_C_DROP_OUTER_LEN] = "outer IPv4 or UDP length does not fit the frame",
	[VXFWD_C_DROP_GENEVE_HDR] = "GENEVE header short, not version 0, a control message, or options not fitting",
	[VXFWD_C_DROP_GENEVE_PROTO] = "GENEVE carries something other than IPv4",
	[VXFWD_C_DROP_GENEVE_CRIT] = "GENEVE option with the critical bit set, which vxfwd does not know",
	[VXFWD_C_DROP_GENEVE_INNER] = "GENEVE carries no IPv4 UDP datagram to a vxlan port",
	[VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM] = "inner IPv6 UDP with checksum 0, which IPv6 does not allow",
	[VXFWD_C_DROP_INNER6_EXT] = "inner IPv6 with a routing header or too many extension headers",
};

const char *inspect_counter_name(__u32 c)
{
	return c < VXFWD_C_MAX && vxfwd_counter_names[c] ? vxfwd_counter_names[c] : "?";
}

const char *inspect_counter_why(__u32 c)
{
	return c < VXFWD_C_MAX && counter_why[c] ? counter_why[c] : "?";
}

/* A `nexthop ADDR` line of either family. */
static void nexthop_add(struct vxfwd_state *st, const char *addr)
{
	struct inspect_nh *nh = &st->nexthop[st->n_nexthops];

	memset(nh, 0, sizeof(*nh));
	if (inet_pton(AF_INET, addr, nh->addr) == 1)
		nh->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, nh->addr) == 1)
		nh->family = AF_INET6;
	else
		return;
	st->n_nexthops++;
}

static void state_line(struct vxfwd_state *st, const char *line)
{
	char word[PATH_MAX], addr[INET6_ADDRSTRLEN];
	unsigned int a, b;
	long long t;
	int n, off;

	if (sscanf(line, "egress %15s", st->egress) == 1 || sscanf(line, "pid %d", &st->pid) == 1 ||
	    sscanf(line, "gen %u", &st->gen) == 1 || sscanf(line, "sets %u", &st->n_sets) == 1)
		return;
	if (sscanf(line, "applied %lld", &t) == 1) {
		st->applied = t;
	} else if (sscanf(line, "rules %4095s", word) == 1) {
		snprintf(st->rules, sizeof(st->rules), "%s", word);
	} else if (sscanf(line, "backend %31s", st->backend) == 1) {
		return;
	} else if (sscanf(line, "worker %u cpu %d", &a, &n) == 2 && a == st->n_workers &&
		   a < VXFWD_MAX_WORKERS) {
		st->worker_cpu[st->n_workers++] = n;
	} else if (sscanf(line, "nexthop %45s", addr) == 1 && st->n_nexthops < VXFWD_MAX_NEXTHOPS) {
		nexthop_add(st, addr);
	} else if (sscanf(line, "rule %u %n", &a, &off) == 1 && a == st->n_rules &&
		   a < VXFWD_MAX_RULES) {
		snprintf(st->rule[st->n_rules++], sizeof(st->rule[0]), "%s", line + off);
	} else if (sscanf(line, "org %u %u", &a, &b) == 2) {
		st->n_orgs++;
	}
}

int inspect_state_read(const char *path, struct vxfwd_state *st)
{
	char line[PATH_MAX + 64];
	FILE *f;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = attached_where(path, &st->where);
	if (ret)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		state_line(st, line);
	}
	fclose(f);
	return 0;
}

int inspect_map_fd(const struct vxfwd_instance *in, int prog_fd, const char *name)
{
	char path[PATH_MAX];
	int fd = -ENOENT;

	if (prog_fd >= 0)
		fd = attached_map_fd(prog_fd, name);
	if (fd >= 0 || instance_pin_path(in, name, path, sizeof(path)))
		return fd;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

const char *inspect_mac(const __u8 *mac, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}

void inspect_endpoint(char *buf, size_t len, int family, const void *addr, int port)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (port < 0)
		snprintf(buf, len, "%s", a);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", a, port);
	else
		snprintf(buf, len, "%s:%d", a, port);
}

int inspect_ev_ends(const struct vxfwd_mon_ev *ev, int with_ports, char *src, char *dst,
		    size_t len)
{
	int sport = with_ports ? ntohs(ev->sport_be) : -1;
	int dport = with_ports ? ntohs(ev->dport_be) : -1;

	if (ev->family == 6) {
		inspect_endpoint(src, len, AF_INET6, &ev->saddr6, sport);
		inspect_endpoint(dst, len, AF_INET6, &ev->daddr6, dport);
		return 0;
	}
	if (ev->family != 4 && !ev->saddr && !ev->daddr)
		return -ENOENT;
	inspect_endpoint(src, len, AF_INET, &ev->saddr, sport);
	inspect_endpoint(dst, len, AF_INET, &ev->daddr, dport);
	return 0;
}

void inspect_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}
