// SPDX-License-Identifier: GPL-2.0-only
/*
 * vxfwd_guard.bpf.c - the egress leak guard: a tc program on the ingress
 * (mirror) interface's egress that drops every frame derived from mirror
 * traffic: an IPv4 or IPv6 one addressed to a DNAT target of the active
 * ruleset (of its family), and an ICMP error quoting a UDP datagram to one
 * of its VXLAN ports.  Mirror traffic is IPv4/UDP outside, so only ICMP
 * (not ICMPv6) errors can quote it.
 *
 * Forwarded frames leave through the egress interface only; one that shows
 * up here came from a misrouted send, a host route through the mirror
 * interface or a bug, and must not reach the mirror side of the wire.  An
 * ICMP error quoting mirror traffic means the stack saw a mirror frame (no
 * XDP program on the interface yet, say at boot): it must not answer the
 * mirror source either.  The XDP program's braces, this is the belt.
 *
 * The ruleset maps are the XDP program's own: user space (engine/guard.c)
 * hands the guard the XDP skeleton's map fds before load, so the guard
 * always judges by the generation XDP uses.  Only vxfwd_guard_cnt is its
 * own.  Untagged and single 802.1Q-tagged IPv4 and IPv6 frames are
 * inspected.
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

#include "vxfwd_abi.h"
#include "vxfwd_limits.h"
#include "vxfwd_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VXFWD_G_MAX);
	__type(key, __u32);
	__type(value, struct vxfwd_count);
} vxfwd_guard_cnt SEC(".maps");

static __always_inline void guard_count(__u32 idx, __u64 bytes)
{
	struct vxfwd_count *c = bpf_map_lookup_elem(&vxfwd_guard_cnt, &idx);

	if (!c)
		return;
	c->packets++;
	c->bytes += bytes;
}

/*
 * Offset of the IP header, its ethertype in *proto (network order), or 0
 * when the frame is neither IPv4 nor IPv6.
 */
static __always_inline __u32 ip_off(struct __sk_buff *skb, __be16 *proto)
{
	__u32 off = offsetof(struct ethhdr, h_proto);

	if (bpf_skb_load_bytes(skb, off, proto, sizeof(*proto)))
		return 0;
	if (*proto == bpf_htons(ETH_P_8021Q)) {
		off += 4;
		if (bpf_skb_load_bytes(skb, off, proto, sizeof(*proto)))
			return 0;
	}
	if (*proto != bpf_htons(ETH_P_IP) && *proto != bpf_htons(ETH_P_IPV6))
		return 0;
	return off + sizeof(*proto);
}

/* The active generation's settings, or NULL. */
static __always_inline const struct vxfwd_cfg *active_cfg(__u32 *gen)
{
	const struct vxfwd_cfg *cfg;
	__u32 zero = 0, *g;

	g = bpf_map_lookup_elem(&vxfwd_active, &zero);
	if (!g)
		return NULL;
	*gen = *g;
	cfg = bpf_map_lookup_elem(&vxfwd_cfg, gen);
	return cfg && (cfg->flags & VXFWD_CFG_F_VALID) ? cfg : NULL;
}

/*
 * 1 when the target address at `t` equals `daddr`: 16 bytes when `v6`, else
 * 4.  `v6` is a constant at every call, so each family keeps its own code.
 */
static __always_inline int same_addr(const void *t, const __u64 *daddr, int v6)
{
	__u64 a[2];

	if (!v6)
		return *(const __be32 *)t == *(const __be32 *)daddr;
	__builtin_memcpy(a, t, sizeof(a));
	return a[0] == daddr[0] && a[1] == daddr[1];
}

/* 1 when `daddr` is a target, the first or a further one, of rule `r` of its family. */
static __always_inline int rule_has_target(const struct vxfwd_rule *r, const __u64 *daddr, int v6)
{
	__u32 t;

	if (!(r->flags & VXFWD_RULE_F_NAT6) != !v6)
		return 0;
	if (same_addr(v6 ? (const void *)r->nat_addr6 : (const void *)&r->nat_addr, daddr, v6))
		return 1;
	for (t = 1; t < VXFWD_MAX_TARGETS; t++) {
		if (t >= r->n_targets)
			break;
		if (same_addr(v6 ? (const void *)r->more[t - 1].addr6 :
				   (const void *)&r->more[t - 1].addr,
			      daddr, v6))
			return 1;
	}
	return 0;
}

/*
 * 1 when `daddr` (an IPv4 address in its first 4 bytes, or 16 bytes of
 * IPv6 with `v6`) is a DNAT target of a rule of the active generation.
 */
static __always_inline int is_dnat_target(const struct vxfwd_cfg *cfg, __u32 gen,
					  const __u64 *daddr, int v6)
{
	const struct vxfwd_rule *r;
	__u32 i, idx;

	for (i = 0; i < VXFWD_MAX_RULES; i++) {
		if (i >= cfg->n_rules)
			break;
		idx = gen * VXFWD_MAX_RULES + i;
		r = bpf_map_lookup_elem(&vxfwd_rule, &idx);
		if (!r)
			break;
		if (rule_has_target(r, daddr, v6))
			return 1;
	}
	return 0;
}

/* An IPv6 frame at `off`: derived from mirror traffic when sent to an IPv6 DNAT target. */
static __always_inline int mirror_derived6(struct __sk_buff *skb, __u32 off)
{
	const struct vxfwd_cfg *cfg;
	__u64 daddr[2];
	__u32 gen = 0;

	if (bpf_skb_load_bytes(skb, off + offsetof(struct ipv6hdr, daddr), daddr, sizeof(daddr)))
		return 0;
	cfg = active_cfg(&gen);
	return cfg && is_dnat_target(cfg, gen, daddr, 1);
}

/* ICMP types whose payload quotes the datagram that caused them. */
static __always_inline int icmp_quotes(__u8 type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/*
 * 1 when the IPv4 packet at `off` (header length `ihl` bytes) is an ICMP
 * error quoting a UDP datagram to a VXLAN or GENEVE port of the active
 * generation.
 */
static __always_inline int quotes_mirror(struct __sk_buff *skb, const struct vxfwd_cfg *cfg,
					 __u32 off, __u32 ihl)
{
	struct iphdr q;
	__be16 dport;
	__u8 type;

	if (bpf_skb_load_bytes(skb, off + ihl, &type, sizeof(type)) || !icmp_quotes(type))
		return 0;
	off += ihl + 8; /* the quoted IPv4 header */
	if (bpf_skb_load_bytes(skb, off, &q, sizeof(q)) || q.protocol != IPPROTO_UDP ||
	    q.ihl < 5)
		return 0;
	off += q.ihl * 4 + offsetof(struct udphdr, dest);
	if (bpf_skb_load_bytes(skb, off, &dport, sizeof(dport)))
		return 0;
	return cfg_vxlan_port(cfg, dport) || cfg_geneve_port(cfg, dport);
}

/* 1 when the frame is derived from mirror traffic and must not leave. */
static __always_inline int mirror_derived(struct __sk_buff *skb)
{
	const struct vxfwd_cfg *cfg;
	__u32 off, gen = 0;
	__u64 daddr[1];
	struct iphdr ip;
	__be16 proto;

	off = ip_off(skb, &proto);
	if (off && proto == bpf_htons(ETH_P_IPV6))
		return mirror_derived6(skb, off);
	if (!off || bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) || ip.ihl < 5)
		return 0;
	cfg = active_cfg(&gen);
	if (!cfg)
		return 0;
	daddr[0] = 0;
	__builtin_memcpy(daddr, &ip.daddr, sizeof(ip.daddr));
	if (is_dnat_target(cfg, gen, daddr, 0))
		return 1;
	return ip.protocol == IPPROTO_ICMP && quotes_mirror(skb, cfg, off, ip.ihl * 4);
}

SEC("tc")
int vxfwd_guard(struct __sk_buff *skb)
{
	if (mirror_derived(skb)) {
		guard_count(VXFWD_G_DROP, skb->len);
		return TC_ACT_SHOT;
	}
	guard_count(VXFWD_G_PASS, skb->len);
	/* No verdict: other tc programs on this hook still decide. */
	return TC_ACT_UNSPEC;
}
