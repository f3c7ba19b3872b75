// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain_frame.c - the packet of `vxfwd explain`'s command line, parsed
 * and built into the frame a mirror session would send: outer Ethernet,
 * IPv4, UDP and VXLAN around the inner Ethernet, IPv4 and UDP or TCP with
 * a short payload, checksums right.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
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

/* Inner L4 header and payload at p; the checksum over the pseudo header. */
static size_t put_l4(__u8 *p, const struct query *q)
{
	size_t hl = q->proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	__u8 pseudo[12];
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
	memcpy(pseudo, &q->src, 4);
	memcpy(pseudo + 4, &q->dst, 4);
	pseudo[8] = 0;
	pseudo[9] = q->proto;
	pseudo[10] = (__u8)(len >> 8);
	pseudo[11] = (__u8)len;
	c = htons(csum_fold(csum_add(csum_add(0, pseudo, sizeof(pseudo)), p, len)));
	if (q->proto == IPPROTO_UDP && !c)
		c = 0xffff;
	memcpy(p + (q->proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
					    : offsetof(struct udphdr, check)),
	       &c, 2);
	return len;
}

static void put_eth(__u8 *p, __u8 last_dst, __u8 last_src)
{
	static const __u8 base[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
	__be16 type = htons(ETH_P_IP);

	memcpy(p, base, 6);
	p[5] = last_dst;
	memcpy(p + 6, base, 6);
	p[11] = last_src;
	memcpy(p + 12, &type, 2);
}

size_t explain_build_frame(__u8 *f, const struct query *q, __be16 vxport)
{
	size_t o_ip = ETH_HLEN, o_udp = o_ip + 20, o_vx = o_udp + 8, i_eth = o_vx + VXLAN_HLEN;
	size_t i_ip = i_eth + ETH_HLEN, l4len;
	struct udphdr udp = {0};
	__be32 vni = htonl(q->vni << 8);

	put_eth(f, 1, 2);
	put_eth(f + i_eth, 3, 4);
	l4len = put_l4(f + i_ip + 20, q);
	put_ipv4(f + i_ip, q->proto, q->src, q->dst, l4len);
	memset(f + o_vx, 0, VXLAN_HLEN);
	f[o_vx] = VXFWD_VXLAN_FLAG_I;
	memcpy(f + o_vx + 4, &vni, 4);
	udp.source = htons(49152);
	udp.dest = vxport;
	udp.len = htons((__u16)(8 + VXLAN_HLEN + ETH_HLEN + 20 + l4len));
	memcpy(f + o_udp, &udp, sizeof(udp));
	put_ipv4(f + o_ip, IPPROTO_UDP, htonl(0xc0000201), htonl(0xc0000202),
		 8 + VXLAN_HLEN + ETH_HLEN + 20 + l4len);
	return i_ip + 20 + l4len;
}

static int parse_hostport(const char *arg, __be32 *addr, __u16 *port, int need_port)
{
	char buf[64], *colon, *end;
	unsigned long p;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -EINVAL;
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return -EINVAL;
	if (!colon)
		return need_port ? -EINVAL : 0;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p == 0 || p > 65535)
		return -EINVAL;
	*port = (__u16)p;
	return 0;
}

int explain_parse_query(int argc, char **argv, struct query *q)
{
	char *end;
	unsigned long n;

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
	if (parse_hostport(argv[1], &q->src, &q->sport, 0) ||
	    parse_hostport(argv[2], &q->dst, &q->dport, 1))
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
