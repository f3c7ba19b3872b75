// SPDX-License-Identifier: GPL-2.0-only
/*
 * vxfwd_guard.bpf.c - the egress leak guard: a tc program on the ingress
 * (mirror) interface's egress that drops every IPv4 frame addressed to a
 * DNAT target of the active ruleset.
 *
 * Forwarded frames leave through the egress interface only; one that shows
 * up here came from a misrouted send, a host route through the mirror
 * interface or a bug, and must not reach the mirror side of the wire.  The
 * XDP program's braces, this is the belt.
 *
 * The ruleset maps are the XDP program's own: user space (engine/guard.c)
 * hands the guard the XDP skeleton's map fds before load, so the guard
 * always judges by the generation XDP uses.  Only vxfwd_guard_cnt is its
 * own.  Untagged and single 802.1Q-tagged IPv4 frames are inspected.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
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

/* The IPv4 destination of the frame; 0 with *daddr untouched when none. */
static __always_inline int ipv4_daddr(struct __sk_buff *skb, __be32 *daddr)
{
	__u32 off = offsetof(struct ethhdr, h_proto);
	__be16 proto;

	if (bpf_skb_load_bytes(skb, off, &proto, sizeof(proto)))
		return 0;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		off += 4;
		if (bpf_skb_load_bytes(skb, off, &proto, sizeof(proto)))
			return 0;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return 0;
	off += sizeof(proto) + offsetof(struct iphdr, daddr);
	return !bpf_skb_load_bytes(skb, off, daddr, sizeof(*daddr));
}

/* 1 when `daddr` is the DNAT target of a rule of the active generation. */
static __always_inline int is_dnat_target(__be32 daddr)
{
	const struct vxfwd_cfg *cfg;
	const struct vxfwd_rule *r;
	__u32 zero = 0, gen, i, idx, *g;

	g = bpf_map_lookup_elem(&vxfwd_active, &zero);
	if (!g)
		return 0;
	gen = *g;
	cfg = bpf_map_lookup_elem(&vxfwd_cfg, &gen);
	if (!cfg || !(cfg->flags & VXFWD_CFG_F_VALID))
		return 0;
	for (i = 0; i < VXFWD_MAX_RULES; i++) {
		if (i >= cfg->n_rules)
			break;
		idx = gen * VXFWD_MAX_RULES + i;
		r = bpf_map_lookup_elem(&vxfwd_rule, &idx);
		if (!r)
			break;
		if (r->nat_addr == daddr)
			return 1;
	}
	return 0;
}

SEC("tc")
int vxfwd_guard(struct __sk_buff *skb)
{
	__be32 daddr = 0;

	if (ipv4_daddr(skb, &daddr) && is_dnat_target(daddr)) {
		guard_count(VXFWD_G_DROP, skb->len);
		return TC_ACT_SHOT;
	}
	guard_count(VXFWD_G_PASS, skb->len);
	/* No verdict: other tc programs on this hook still decide. */
	return TC_ACT_UNSPEC;
}
