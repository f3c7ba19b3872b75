// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain_frame.c - the packet of `vxfwd explain`'s command line, parsed
 * and built into the frame a mirror session would send: outer Ethernet,
 * IPv4, UDP and VXLAN around the inner Ethernet, IPv4 or IPv6, and UDP or
 * TCP with a short payload, checksums right.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "explain.h"

#define PAYLOAD_LEN 16
#define VXLAN_HLEN  8

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __u32 csum_add(__u32 sum, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (__u32)(p[n - 1] << 8);
	return sum;
}

static void put_ipv4(__u8 *p, __u8 proto, __be32 src, __be32 dst, size_t payload)
{
	struct iphdr ip = {0};
	__u16 c;

	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = 64;
	ip.protocol = proto;
	ip.tot_len = htons((__u16)(sizeof(ip) + payload));
	ip.saddr = src;
	ip.daddr = dst;
	memcpy(p, &ip, sizeof(ip));
	c = htons(csum_fold(csum_add(0, p, sizeof(ip))));
	memcpy(p + offsetof(struct iphdr, check), &c, 2);
}

/* The fixed IPv6 header at p: hop limit 64, no extension header. */
static void put_ipv6(__u8 *p, const struct query *q, size_t payload)
{
	struct ipv6hdr ip6 = {0};

	ip6.version = 6;
	ip6.payload_len = htons((__u16)payload);
	ip6.nexthdr = q->proto;
	ip6.hop_limit = 64;
	memcpy(&ip6.saddr, q->src, 16);
	memcpy(&ip6.daddr, q->dst, 16);
	memcpy(p, &ip6, sizeof(ip6));
}

/* The sum of the L4 checksum's pseudo header (RFC 768, RFC 8200 8.1). */
static __u32 pseudo_sum(const struct query *q, __u16 len)
{
	size_t alen = q->family == AF_INET6 ? 16 : 4;
	__u8 tail[4] = {0, 0, (__u8)(len >> 8), (__u8)len};
	__u32 sum = 0;

	sum = csum_add(sum, q->src, alen);
	sum = csum_add(sum, q->dst, alen);
	sum += q->proto;
	return csum_add(sum, tail, sizeof(tail));
}

/* Inner L4 header and payload at p; the checksum over the pseudo header. */
static size_t put_l4(__u8 *p, const struct query *q)
{
	size_t hl = q->proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	__u16 c, len = (__u16)(hl + PAYLOAD_LEN);
	struct tcphdr tcp = {0};
	struct udphdr udp = {0};

	memset(p + hl, 'x', PAYLOAD_LEN);
	if (q->proto == IPPROTO_TCP) {
		tcp.source = htons(q->sport);
		tcp.dest = htons(q->dport);
		tcp.doff = 5;
		tcp.ack = 1;
		tcp.psh = 1;
		tcp.window = htons(512);
		memcpy(p, &tcp, sizeof(tcp));
	} else {
		udp.source = htons(q->sport);
		udp.dest = htons(q->dport);
		udp.len = htons(len);
		memcpy(p, &udp, sizeof(udp));
	}
	c = htons(csum_fold(csum_add(pseudo_sum(q, len), p, len)));
	if (q->proto == IPPROTO_UDP && !c)
		c = 0xffff;
	memcpy(p + (q->proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
					    : offsetof(struct udphdr, check)),
	       &c, 2);
	return len;
}

static void put_eth(__u8 *p, __u8 last_dst, __u8 last_src, __u16 ethertype)
{
	static const __u8 base[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
	__be16 type = htons(ethertype);

	memcpy(p, base, 6);
	p[5] = last_dst;
	memcpy(p + 6, base, 6);
	p[11] = last_src;
	memcpy(p + 12, &type, 2);
}

/* The inner Ethernet frame at f; its length. */
static size_t put_inner(__u8 *f, const struct query *q)
{
	int v6 = q->family == AF_INET6;
	size_t iphl = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr), l4len;
	__be32 src, dst;

	put_eth(f, 3, 4, v6 ? ETH_P_IPV6 : ETH_P_IP);
	l4len = put_l4(f + ETH_HLEN + iphl, q);
	if (v6) {
		put_ipv6(f + ETH_HLEN, q, l4len);
	} else {
		memcpy(&src, q->src, 4);
		memcpy(&dst, q->dst, 4);
		put_ipv4(f + ETH_HLEN, q->proto, src, dst, l4len);
	}
	return ETH_HLEN + iphl + l4len;
}

size_t explain_build_frame(__u8 *f, const struct query *q, __be16 vxport)
{
	size_t o_ip = ETH_HLEN, o_udp = o_ip + 20, o_vx = o_udp + 8, i_eth = o_vx + VXLAN_HLEN;
	size_t inner_len;
	struct udphdr udp = {0};
	__be32 vni = htonl(q->vni << 8);

	put_eth(f, 1, 2, ETH_P_IP);
	inner_len = put_inner(f + i_eth, q);
	memset(f + o_vx, 0, VXLAN_HLEN);
	f[o_vx] = VXFWD_VXLAN_FLAG_I;
	memcpy(f + o_vx + 4, &vni, 4);
	udp.source = htons(49152);
	udp.dest = vxport;
	udp.len = htons((__u16)(8 + VXLAN_HLEN + inner_len));
	memcpy(f + o_udp, &udp, sizeof(udp));
	put_ipv4(f + o_ip, IPPROTO_UDP, htonl(0xc0000201), htonl(0xc0000202),
		 8 + VXLAN_HLEN + inner_len);
	return i_eth + inner_len;
}

/* ":port" after an address: 1-65535; 0 or -EINVAL. */
static int parse_port(const char *s, __u16 *port)
{
	unsigned long p;
	char *end;

	if (*s != ':' || !s[1] || s[1] < '0' || s[1] > '9')
		return -EINVAL;
	p = strtoul(s + 1, &end, 10);
	if (*end || p == 0 || p > 65535)
		return -EINVAL;
	*port = (__u16)p;
	return 0;
}

/*
 * a.b.c.d[:port], [IPv6]:port, [IPv6] or a bare IPv6 address (which cannot
 * take a port) into addr; *family says which.  0 or -EINVAL.
 */
static int parse_hostport(const char *arg, int *family, __u8 *addr, __u16 *port, int need_port)
{
	const char *a = arg, *rest;
	char buf[64];
	size_t n;

	if (arg[0] == '[') {
		rest = strchr(arg, ']');
		if (!rest)
			return -EINVAL;
		a = arg + 1;
		n = (size_t)(rest++ - a);
		*family = AF_INET6;
	} else if (strchr(arg, ':') != strrchr(arg, ':')) {
		n = strlen(arg); /* more than one ':': IPv6, no port */
		rest = arg + n;
		*family = AF_INET6;
	} else {
		n = strcspn(arg, ":");
		rest = arg + n;
		*family = AF_INET;
	}
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, a, n);
	buf[n] = '\0';
	if (inet_pton(*family, buf, addr) != 1)
		return -EINVAL;
	if (!*rest)
		return need_port ? -EINVAL : 0;
	return parse_port(rest, port);
}

int explain_parse_query(int argc, char **argv, struct query *q)
{
	char *end;
	unsigned long n;
	int fam_dst;

	memset(q, 0, sizeof(*q));
	q->sport = EXPLAIN_SPORT;
	if (argc != 3 && argc != 5)
		return -EINVAL;
	if (strcmp(argv[0], "udp") == 0)
		q->proto = IPPROTO_UDP;
	else if (strcmp(argv[0], "tcp") == 0)
		q->proto = IPPROTO_TCP;
	else
		return -EINVAL;
	if (parse_hostport(argv[1], &q->family, q->src, &q->sport, 0) ||
	    parse_hostport(argv[2], &fam_dst, q->dst, &q->dport, 1) || fam_dst != q->family)
		return -EINVAL;
	if (argc == 3)
		return 0;
	n = strtoul(argv[4], &end, 0);
	if (strcmp(argv[3], "vni") != 0 || !argv[4][0] || *end || n > 0xffffff)
		return -EINVAL;
	q->vni = (__u32)n;
	q->have_vni = 1;
	return 0;
}
