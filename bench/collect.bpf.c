// SPDX-License-Identifier: GPL-2.0-only
/*
 * collect.bpf.c - the far side of both wires.
 *
 * vxb_collect (XDP, collector's eth0): every stamped frame is counted as good
 * when it carries the DNAT tuple, the collector's MAC, a valid IPv4 header
 * checksum and a UDP checksum of 0 (what the generator sent), as wrong
 * otherwise; an inner IPv6 frame (gen -6) is good when it carries the IPv6
 * DNAT target (want_addr6), the port, the MAC and a UDP checksum that adds
 * up (verified over datagrams of up to VXB_CSUM6_MAX bytes in the first
 * buffer; beyond that only not 0).  Good frames feed a latency histogram.  A frame right in every
 * way but sent to the second address (want_addr2, the fan-out row's second
 * target, which the collector owns as well) counts as good2.  Stamped frames are
 * dropped here, everything else (ARP, neighbour solicitations) is passed so
 * that the sensor can resolve the collector's MAC.
 *
 * vxb_leak (tc ingress, mirror namespace's eth0): counts every frame coming
 * back from the sensor and those that carry the stamp marker anywhere in
 * their first VXB_SCAN bytes (raw, re-encapsulated or quoted by an ICMP
 * error) or the DNAT target (either family): the leak figure, which must
 * stay 0.
 *
 * vxb_pass (XDP): XDP_PASS; a veth only receives XDP_REDIRECTed frames (and
 * only runs its NAPI) when its peer has an XDP program.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

#ifndef VXB_SCAN
#define VXB_SCAN 256
#endif
#define VXB_CSUM6_MAX 1024

const volatile __be32 want_addr;
const volatile __u8 want_addr6[16];
const volatile __be32 want_addr2; /* 0: none */
const volatile __be16 want_port;
const volatile __u8 want_mac[ETH_ALEN];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vxb_coll);
} vxb_coll SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vxb_leak);
} vxb_leak_cnt SEC(".maps");

static __always_inline int msb64(__u64 v)
{
	int r = 0, s;

	for (s = 32; s; s >>= 1) {
		if (v >> s) {
			v >>= s;
			r += s;
		}
	}
	return r;
}

/* Values below VXB_HIST_SUB get their own bucket; above, 8 steps per octave. */
static __always_inline __u32 vxb_bucket(__u64 ns)
{
	int m;

	if (ns < VXB_HIST_SUB)
		return ns;
	m = msb64(ns);
	return (m - VXB_HIST_SHIFT + 1) * VXB_HIST_SUB +
	       ((ns >> (m - VXB_HIST_SHIFT)) & (VXB_HIST_SUB - 1));
}

static __always_inline int ip_csum_ok(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)sizeof(*ip) / 2; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __always_inline int mac_eq(const __u8 *a, const volatile __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] &&
	       a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline int addr6_eq(const struct in6_addr *a)
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++)
		if (a->in6_u.u6_addr8[i] != want_addr6[i])
			return 0;
	return 1;
}

/*
 * The UDP checksum of an IPv6 datagram: 1 right, 0 wrong; for a datagram
 * longer than VXB_CSUM6_MAX or beyond the first buffer, 1 when not 0.
 */
static __always_inline int udp6_csum_ok(struct ipv6hdr *ip6, struct udphdr *udp, void *end)
{
	__u32 len = bpf_ntohs(udp->len), sum = 0, i;
	__u16 *w = (__u16 *)&ip6->saddr;
	__u8 *p;

	if (!udp->check)
		return 0;
	if (len > VXB_CSUM6_MAX)
		return 1;
#pragma unroll
	for (i = 0; i < 16; i++)
		sum += w[i]; /* source and destination */
	sum += udp->len + bpf_htons(IPPROTO_UDP);
	for (i = 0; i + 1 < len && i < VXB_CSUM6_MAX; i += 2) {
		p = (__u8 *)udp + i;
		/* hides p's relation to udp: clang would check once, before the loop */
		asm volatile("" : "+r"(p));
		if ((void *)(p + 2) > end)
			return 1; /* beyond the first buffer: not added */
		sum += *(__u16 *)p;
	}
	if (len & 1) {
		p = (__u8 *)udp + ((len - 1) & (VXB_CSUM6_MAX - 1)); /* len <= VXB_CSUM6_MAX */
		if ((void *)(p + 1) > end)
			return 1;
		sum += bpf_htons((__u16)*p << 8);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* One good frame: its latency into the histogram. */
static __always_inline void count_good(struct xdp_md *ctx, struct vxb_coll *c,
				       const struct vxb_stamp *st)
{
	__u64 now = bpf_ktime_get_ns(), lat = now > st->tstamp_ns ? now - st->tstamp_ns : 0;

	c->good++;
	c->good_bytes += bpf_xdp_get_buff_len(ctx);
	c->lat_sum_ns += lat;
	c->hist[vxb_bucket(lat) & (VXB_HIST_N - 1)]++;
}

/* An inner IPv6 frame from the sensor (gen -6). */
static __always_inline int collect6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip6 + 1);
	struct vxb_stamp *st = (void *)(udp + 1);
	struct vxb_coll *c;
	__u32 zero = 0;

	if ((void *)(st + 1) > end || ip6->nexthdr != IPPROTO_UDP || st->magic != VXB_MAGIC)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&vxb_coll, &zero);
	if (!c)
		return XDP_DROP;
	if (!addr6_eq(&ip6->daddr) || udp->dest != want_port || !mac_eq(eth->h_dest, want_mac) ||
	    !udp6_csum_ok(ip6, udp, end)) {
		c->wrong++;
		return XDP_DROP;
	}
	count_good(ctx, c, st);
	return XDP_DROP;
}

SEC("xdp.frags")
int vxb_collect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct vxb_stamp *st = (void *)(udp + 1);
	struct vxb_coll *c;
	__u32 zero = 0;
	int ok;

	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IPV6))
		return collect6(ctx);
	if ((void *)(st + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || st->magic != VXB_MAGIC)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&vxb_coll, &zero);
	if (!c)
		return XDP_DROP;
	ok = udp->dest == want_port && udp->check == 0 && mac_eq(eth->h_dest, want_mac) &&
	     ip_csum_ok(ip);
	if (ok && want_addr2 && ip->daddr == want_addr2) {
		c->good2++;
		return XDP_DROP;
	}
	if (!ok || ip->daddr != want_addr) {
		c->wrong++;
		return XDP_DROP;
	}
	count_good(ctx, c, st);
	return XDP_DROP;
}

static __always_inline int carries_target(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IPV6))
		return addr6_eq(&ip6->daddr);
	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->daddr == want_addr || (want_addr2 && ip->daddr == want_addr2))
		return 1;
	return ip->ihl == 5 && ip->protocol == IPPROTO_UDP && udp->dest == want_port;
}

static __always_inline int carries_marker(void *data, void *end)
{
	__u64 m;
	int i;

	for (i = 0; i < VXB_SCAN; i++) {
		if (data + i + sizeof(m) > end)
			return 0;
		__builtin_memcpy(&m, data + i, sizeof(m));
		if (m == VXB_MAGIC)
			return 1;
	}
	return 0;
}

SEC("tc")
int vxb_leak(struct __sk_buff *skb)
{
	struct vxb_leak *l;
	__u32 zero = 0;
	void *data, *end;

	bpf_skb_pull_data(skb, skb->len < VXB_SCAN + 8 ? skb->len : VXB_SCAN + 8);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	l = bpf_map_lookup_elem(&vxb_leak_cnt, &zero);
	if (!l)
		return TC_ACT_OK;
	l->frames++;
	if (carries_target(data, end) || carries_marker(data, end))
		l->leaked++;
	return TC_ACT_OK;
}

SEC("xdp.frags")
int vxb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
