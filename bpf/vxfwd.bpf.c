// SPDX-License-Identifier: GPL-2.0-only
/*
 * vxfwd.bpf.c - XDP on the mirror interface: pass what is not mirror
 * traffic, drop with a reason what is not allowed, and copy the rest,
 * decapsulated and DNAT-ed, into the ring for the engine to send.
 *
 * Every frame increments VXFWD_C_RX and exactly one other counter.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vxfwd_abi.h"
#include "vxfwd_csum.h"
#include "vxfwd_limits.h"
#include "vxfwd_maps.h"
#include "vxfwd_mon.h"
#include "vxfwd_parse.h"

char LICENSE[] SEC("license") = "GPL";

/* What the inner packet looks like once parsed and matched. */
struct inner {
	__u32 gen;
	__u32 vni;
	__u32 eth_off;	 /* inner Ethernet header in the frame */
	__u32 dgram_end; /* end of the outer UDP datagram in the frame */
	__u32 hlen;	 /* inner IPv4 header length; IPv6: 40 + extension headers */
	__u32 frame_len; /* 14 + IPv4 total length; IPv6: 14 + 40 + payload length */
	__u32 nat6;	 /* inner IPv6: VXFWD_RULE_F_NAT6, the flag of the rules it may match */
	__u8 proto;
	__be16 sport_be;
	__be16 dport_be;
	__u16 l4_csum; /* as found, network order */
	union {
		union ipv4_buf ip;
		struct ipv6hdr ip6; /* with nat6 */
	};
};

static __always_inline void count(__u32 idx, __u64 bytes, void *map)
{
	struct vxfwd_count *c = bpf_map_lookup_elem(map, &idx);

	if (!c)
		return;
	c->packets++;
	c->bytes += bytes;
}

/*
 * The outer lengths of mirror traffic.  The outer IPv4 packet must hold its
 * UDP header and lie within the frame (bytes after it are Ethernet padding),
 * and the UDP length must be the IPv4 payload length: the datagram is then
 * the same bytes whichever length a receiver reads.  *end receives the end
 * of the datagram in the frame.
 */
static __always_inline __u32 outer_len(const struct iphdr *ip, __u32 ip_off, __u32 hlen,
				       const struct udphdr *udp, __u32 frame_len, __u32 *end)
{
	__u32 tot = bpf_ntohs(ip->tot_len);

	if (tot < hlen + sizeof(*udp) || ip_off + tot > frame_len)
		return VXFWD_C_DROP_OUTER_LEN;
	if (bpf_ntohs(udp->len) != tot - hlen)
		return VXFWD_C_DROP_OUTER_LEN;
	*end = ip_off + tot;
	return VXFWD_C_FORWARD;
}

/*
 * A header of n bytes at the cursor that the frame holds but the datagram
 * does not: the outer lengths cut into it.  A header the frame does not hold
 * either is left to its parser (a short header).
 */
static __always_inline int cut_by_outer(const struct cursor *c, __u32 n, __u32 dgram_end)
{
	return c->off + n <= c->len && c->off + n > dgram_end;
}

/*
 * The options of a GENEVE header, from the cursor to `end` (the end of the
 * option area, within the datagram): each option must end within the area,
 * at most VXFWD_GENEVE_MAX_OPTS of them, none critical (vxfwd interprets no
 * option, and RFC 8926 drops a packet with a critical option it does not
 * know).  The cursor is left at `end`.
 */
static __always_inline __u32 geneve_opts(struct xdp_md *ctx, struct cursor *c, __u32 end)
{
	struct geneve_opt o;
	__u32 i;

	for (i = 0; i < VXFWD_GENEVE_MAX_OPTS; i++) {
		if (c->off >= end)
			return VXFWD_C_FORWARD;
		if (c->off + sizeof(o) > end || cursor_load(ctx, c, &o, sizeof(o)) < 0)
			return VXFWD_C_DROP_GENEVE_HDR;
		c->off += (o.rsvd_len & 0x1f) * 4;
		if (c->off > end)
			return VXFWD_C_DROP_GENEVE_HDR;
		if (o.type & VXFWD_GENEVE_OPT_CRIT)
			return VXFWD_C_DROP_GENEVE_CRIT;
	}
	return c->off >= end ? VXFWD_C_FORWARD : VXFWD_C_DROP_GENEVE_HDR;
}

/*
 * The GENEVE header and options, then the IPv4/UDP datagram they carry,
 * which must go to a vxlan port and passes the checks of an outer one: not
 * a fragment, its lengths within the GENEVE datagram and agreeing.  On
 * FORWARD the cursor is on the VXLAN header and in->dgram_end is the end of
 * the carried datagram.
 */
static __always_inline __u32 geneve(struct xdp_md *ctx, struct cursor *c, struct inner *in,
				    const struct vxfwd_cfg *cfg)
{
	struct genevehdr gh;
	union ipv4_buf ip;
	struct udphdr udp;
	__u32 hlen, ip_off, ret;
	int n;

	if (cut_by_outer(c, sizeof(gh), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	n = parse_geneve(ctx, c, &gh);
	if (n < 0 || c->off + n > in->dgram_end)
		return VXFWD_C_DROP_GENEVE_HDR;
	ret = geneve_opts(ctx, c, c->off + n);
	if (ret != VXFWD_C_FORWARD)
		return ret;
	if (gh.proto != bpf_htons(ETH_P_IP))
		return VXFWD_C_DROP_GENEVE_PROTO;

	if (cut_by_outer(c, sizeof(struct iphdr), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	ip_off = c->off;
	if (parse_ipv4(ctx, c, &ip, &hlen) != IPPROTO_UDP)
		return VXFWD_C_DROP_GENEVE_INNER;
	if (ip.ip.frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return VXFWD_C_DROP_OUTER_FRAG;
	if (cut_by_outer(c, sizeof(udp), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	if (parse_udp(ctx, c, &udp) < 0 || !cfg_vxlan_port(cfg, udp.dest))
		return VXFWD_C_DROP_GENEVE_INNER;
	return outer_len(&ip.ip, ip_off, hlen, &udp, in->dgram_end, &in->dgram_end);
}

/*
 * Outer Ethernet/IPv4/UDP/VXLAN, or Ethernet/IPv4/UDP/GENEVE around
 * IPv4/UDP/VXLAN.  Returns VXFWD_C_FORWARD with the cursor
 * on the inner Ethernet header when the frame is mirror traffic with a
 * known VNI, otherwise the counter that decides the frame.
 */
static __always_inline __u32 outer(struct xdp_md *ctx, struct cursor *c, struct inner *in)
{
	const struct vxfwd_cfg *cfg;
	struct vxfwd_vni_key vk;
	union ipv4_buf ip;
	struct ethhdr eth;
	struct udphdr udp;
	__u32 zero = 0, hlen, ip_off, *gen;
	int ret, encap = 0;

	if (parse_eth(ctx, c, &eth) != ETH_P_IP)
		return VXFWD_C_PASS;
	ip_off = c->off;
	if (parse_ipv4(ctx, c, &ip, &hlen) != IPPROTO_UDP)
		return VXFWD_C_PASS;
	if (ip.ip.frag_off & bpf_htons(IPV4_OFFSET))
		return VXFWD_C_PASS;
	if (parse_udp(ctx, c, &udp) < 0)
		return VXFWD_C_PASS;

	gen = bpf_map_lookup_elem(&vxfwd_active, &zero);
	if (!gen)
		return VXFWD_C_PASS;
	in->gen = *gen;
	cfg = bpf_map_lookup_elem(&vxfwd_cfg, &in->gen);
	if (!cfg || !(cfg->flags & VXFWD_CFG_F_VALID)) {
		if (udp.dest == bpf_htons(VXFWD_VXLAN_DEFAULT_PORT))
			return VXFWD_C_DROP_NO_CONFIG;
		if (udp.dest == bpf_htons(VXFWD_GENEVE_DEFAULT_PORT)) {
			count(VXFWD_L_GENEVE, c->len, &vxfwd_layer_cnt);
			return VXFWD_C_DROP_NO_CONFIG;
		}
		return VXFWD_C_PASS;
	}
	if (!cfg_vxlan_port(cfg, udp.dest)) {
		if (!cfg_geneve_port(cfg, udp.dest))
			return VXFWD_C_PASS;
		count(VXFWD_L_GENEVE, c->len, &vxfwd_layer_cnt);
		encap = 1;
	}
	if (ip.ip.frag_off & bpf_htons(IPV4_MF))
		return VXFWD_C_DROP_OUTER_FRAG;
	if (outer_len(&ip.ip, ip_off, hlen, &udp, c->len, &in->dgram_end) != VXFWD_C_FORWARD)
		return VXFWD_C_DROP_OUTER_LEN;
	if (encap) {
		ret = geneve(ctx, c, in, cfg);
		if (ret != VXFWD_C_FORWARD)
			return ret;
	}

	if (cut_by_outer(c, sizeof(struct vxlanhdr), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	ret = parse_vxlan(ctx, c);
	if (ret < 0)
		return VXFWD_C_DROP_VXLAN_HDR;
	vk.gen = in->gen;
	vk.vni = ret;
	in->vni = ret;
	if (!bpf_map_lookup_elem(&vxfwd_vni, &vk))
		return VXFWD_C_DROP_VNI;
	in->eth_off = c->off;
	return VXFWD_C_FORWARD;
}

/* The L4 header of the inner packet: ports and checksum. */
static __always_inline __u32 inner_l4(struct xdp_md *ctx, struct cursor *c, struct inner *in,
				      __u32 tot_len)
{
	struct tcphdr tcp;
	struct udphdr udp;
	__u32 ulen;

	if (in->proto == IPPROTO_UDP) {
		if (tot_len < in->hlen + sizeof(udp) || parse_udp(ctx, c, &udp) < 0)
			return VXFWD_C_DROP_INNER_MALFORMED;
		/* The receiver drops a UDP length beyond the IP payload or below 8. */
		ulen = bpf_ntohs(udp.len);
		if (ulen < sizeof(udp) || ulen > tot_len - in->hlen)
			return VXFWD_C_DROP_INNER_MALFORMED;
		in->sport_be = udp.source;
		in->dport_be = udp.dest;
		in->l4_csum = udp.check;
		return VXFWD_C_FORWARD;
	}
	if (tot_len < in->hlen + sizeof(tcp) || parse_tcp(ctx, c, &tcp) < 0 ||
	    tot_len < in->hlen + tcp.doff * 4)
		return VXFWD_C_DROP_INNER_MALFORMED;
	in->sport_be = tcp.source;
	in->dport_be = tcp.dest;
	in->l4_csum = tcp.check;
	return VXFWD_C_FORWARD;
}

/*
 * The IPv6 extension headers after the fixed header, up to the UDP or TCP
 * header: hop-by-hop and destination options are walked, at most
 * VXFWD_IPV6_MAX_EXT of them, within the payload; a fragment header is a
 * fragment, a routing header (whose last address, not the destination, is
 * in the checksum) and more headers than that are DROP_INNER6_EXT, any other
 * next header (ESP, AH, none, ...) is not UDP or TCP.  `tot_len` is 40 +
 * the payload length; *proto receives UDP or TCP.
 */
static __always_inline __u32 ipv6_ext(struct xdp_md *ctx, struct cursor *c, __u32 ip_off,
				      __u32 tot_len, __u8 nh, __u8 *proto)
{
	struct ipv6_ext eh;
	__u32 i, n;

	for (i = 0; i <= VXFWD_IPV6_MAX_EXT; i++) {
		if (nh == IPPROTO_UDP || nh == IPPROTO_TCP) {
			*proto = nh;
			return VXFWD_C_FORWARD;
		}
		if (nh == IPPROTO_FRAGMENT)
			return VXFWD_C_DROP_INNER_FRAG;
		if (nh == IPPROTO_ROUTING)
			return VXFWD_C_DROP_INNER6_EXT;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS)
			return VXFWD_C_DROP_INNER_PROTO;
		if (i == VXFWD_IPV6_MAX_EXT)
			break;
		if (c->off - ip_off + 8 > tot_len || bpf_xdp_load_bytes(ctx, c->off, &eh, sizeof(eh)))
			return VXFWD_C_DROP_INNER_MALFORMED;
		n = (eh.len + 1) * 8;
		if (c->off - ip_off + n > tot_len)
			return VXFWD_C_DROP_INNER_MALFORMED;
		c->off += n;
		nh = eh.nexthdr;
	}
	return VXFWD_C_DROP_INNER6_EXT;
}

/*
 * Inner IPv6/UDP|TCP, the cursor after the inner Ethernet header: the same
 * length checks as IPv4 (payload length against the captured frame, then
 * against the outer datagram), extension headers (ipv6_ext()), the L4
 * header, and a UDP checksum of 0, which IPv6 does not allow.
 */
static __always_inline __u32 inner6(struct xdp_md *ctx, struct cursor *c, struct inner *in)
{
	__u32 ip_off = c->off, tot_len, end, ret;
	int nh;

	if (cut_by_outer(c, sizeof(struct ipv6hdr), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	nh = parse_ipv6(ctx, c, &in->ip6);
	if (nh < 0)
		return VXFWD_C_DROP_INNER_MALFORMED;
	tot_len = sizeof(struct ipv6hdr) + bpf_ntohs(in->ip6.payload_len);
	end = ip_off + tot_len;
	if (end > c->len)
		return VXFWD_C_DROP_INNER_TRUNCATED;
	if (end > in->dgram_end)
		return VXFWD_C_DROP_OUTER_LEN;
	in->nat6 = VXFWD_RULE_F_NAT6;
	ret = ipv6_ext(ctx, c, ip_off, tot_len, (__u8)nh, &in->proto);
	if (ret != VXFWD_C_FORWARD)
		return ret;
	in->hlen = c->off - ip_off;
	in->frame_len = ETH_HLEN + tot_len;
	ret = inner_l4(ctx, c, in, tot_len);
	if (ret != VXFWD_C_FORWARD)
		return ret;
	if (in->proto == IPPROTO_UDP && !in->l4_csum)
		return VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM;
	return VXFWD_C_FORWARD;
}

/*
 * Inner Ethernet/IPv4/UDP|TCP: everything a forwarded frame must be.  The
 * inner frame (Ethernet header + inner IPv4 total length) must lie within
 * the outer datagram; bytes after it are mirror padding.  Where the frame
 * holds an inner header or the whole inner packet but the outer lengths end
 * before it, the outer lengths are at fault.
 */
static __always_inline __u32 inner(struct xdp_md *ctx, struct cursor *c, struct inner *in)
{
	struct ethhdr eth;
	__u32 tot_len, end;
	int ret;

	if (cut_by_outer(c, sizeof(eth), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	ret = parse_eth(ctx, c, &eth);
	if (ret == -VXFWD_PE_SHORT)
		return VXFWD_C_DROP_INNER_MALFORMED;
	if (ret != ETH_P_IP)
		return ret == ETH_P_IPV6 ? inner6(ctx, c, in) : VXFWD_C_DROP_INNER_NOT_IP;
	if (cut_by_outer(c, sizeof(struct iphdr), in->dgram_end))
		return VXFWD_C_DROP_OUTER_LEN;
	ret = parse_ipv4(ctx, c, &in->ip, &in->hlen);
	if (ret < 0)
		return VXFWD_C_DROP_INNER_MALFORMED;
	tot_len = bpf_ntohs(in->ip.ip.tot_len);
	if (tot_len < in->hlen)
		return VXFWD_C_DROP_INNER_MALFORMED;
	end = in->eth_off + ETH_HLEN + tot_len;
	if (end > c->len)
		return VXFWD_C_DROP_INNER_TRUNCATED;
	if (end > in->dgram_end)
		return VXFWD_C_DROP_OUTER_LEN;
	if (!ipv4_csum_ok((__be32 *)in->ip.raw, in->hlen))
		return VXFWD_C_DROP_INNER_CSUM;
	if (in->ip.ip.frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return VXFWD_C_DROP_INNER_FRAG;
	if (ret != IPPROTO_UDP && ret != IPPROTO_TCP)
		return VXFWD_C_DROP_INNER_PROTO;
	in->proto = ret;
	in->frame_len = ETH_HLEN + tot_len;
	return inner_l4(ctx, c, in, tot_len);
}

static __always_inline int dport_matches(const struct vxfwd_rule *r, __u16 dport)
{
	__u32 i;

	for (i = 0; i < VXFWD_RULE_MAX_DPORTS; i++) {
		if (i >= r->n_dports)
			break;
		if (dport >= r->dport[i].lo && dport <= r->dport[i].hi)
			return 1;
	}
	return 0;
}

static __always_inline int rule_matches(const struct vxfwd_rule *r, const struct inner *in,
					__u64 src_sets, __u64 dst_sets)
{
	int hit;

	if ((r->flags & VXFWD_RULE_F_NAT6) != in->nat6)
		return 0;
	if (!(r->flags & VXFWD_RULE_F_ANY_PROTO) && r->proto != in->proto)
		return 0;
	if (!dport_matches(r, bpf_ntohs(in->dport_be)))
		return 0;
	if ((r->flags & VXFWD_RULE_F_VNI) && (in->vni < r->vni || in->vni > r->vni_hi))
		return 0;
	if (!(r->flags & VXFWD_RULE_F_SRC_ANY)) {
		hit = !!(r->src_sets & src_sets);
		if (hit == !!(r->flags & VXFWD_RULE_F_SRC_NEG))
			return 0;
	}
	if (!(r->flags & VXFWD_RULE_F_DST_ANY)) {
		hit = !!(r->dst_sets & dst_sets);
		if (hit == !!(r->flags & VXFWD_RULE_F_DST_NEG))
			return 0;
	}
	return 1;
}

static __always_inline const struct vxfwd_lpm_val *lpm(__u32 gen, __be32 addr)
{
	struct vxfwd_lpm_key k = {
		.prefixlen = 64,
		.gen = gen,
		.addr = addr,
	};

	return bpf_map_lookup_elem(&vxfwd_lpm, &k);
}

static __always_inline const struct vxfwd_lpm_val *lpm6(__u32 gen, const struct in6_addr *addr)
{
	struct vxfwd_lpm6_key k = {
		.prefixlen = 32 + 128,
		.gen = gen,
	};

	__builtin_memcpy(k.addr, addr, sizeof(k.addr));
	return bpf_map_lookup_elem(&vxfwd_lpm6, &k);
}

/* First matching rule of the generation; its position in *pos. */
static __always_inline const struct vxfwd_rule *match(const struct vxfwd_cfg *cfg,
						      const struct inner *in, __u64 src_sets,
						      __u64 dst_sets, __u32 *pos)
{
	const struct vxfwd_rule *r;
	__u32 i, idx;

	for (i = 0; i < VXFWD_MAX_RULES; i++) {
		if (i >= cfg->n_rules)
			break;
		idx = in->gen * VXFWD_MAX_RULES + i;
		r = bpf_map_lookup_elem(&vxfwd_rule, &idx);
		if (!r)
			break;
		if (rule_matches(r, in, src_sets, dst_sets)) {
			*pos = i;
			return r;
		}
	}
	return NULL;
}

/*
 * Where one copy goes: a rule's target resolved, the destination port
 * already chosen (the target's, or the frame's own).
 */
struct tgt {
	__be32 addr; /* IPv4 */
	__be16 port_be;
	const __u8 *addr6; /* IPv6: 16 bytes in the rule */
};

/* Rewrite the copy of the inner frame in the ring record. */
static __always_inline void rewrite(__u8 *frame, const struct inner *in, const struct tgt *t,
				    const struct vxfwd_cfg *cfg, const struct vxfwd_nh *nh)
{
	__u32 l4 = ETH_HLEN + (in->hlen & 0x3c);
	__be32 old_addr = in->ip.ip.daddr;
	__be16 port = t->port_be;
	__u16 ipc, l4c;

	__builtin_memcpy(frame, nh->mac, ETH_ALEN);
	__builtin_memcpy(frame + ETH_ALEN, cfg->egress_mac, ETH_ALEN);

	ipc = csum_replace4(in->ip.ip.check, old_addr, t->addr);
	__builtin_memcpy(frame + ETH_HLEN + offsetof(struct iphdr, check), &ipc, 2);
	__builtin_memcpy(frame + ETH_HLEN + offsetof(struct iphdr, daddr), &t->addr, 4);

	__builtin_memcpy(frame + l4 + offsetof(struct udphdr, dest), &port, 2);

	l4c = in->l4_csum;
	if (in->proto == IPPROTO_UDP && !l4c)
		return;
	l4c = csum_replace4(l4c, old_addr, t->addr);
	l4c = csum_replace2(l4c, in->dport_be, port);
	if (in->proto == IPPROTO_UDP) {
		if (!l4c)
			l4c = 0xffff;
		__builtin_memcpy(frame + l4 + offsetof(struct udphdr, check), &l4c, 2);
		return;
	}
	__builtin_memcpy(frame + l4 + offsetof(struct tcphdr, check), &l4c, 2);
}

/* One 32-bit word of an address changing in a checksum, four times over. */
static __always_inline __u16 csum_replace16(__u16 check, const __u8 *from, const __u8 *to)
{
	__u32 f, t, i;

	for (i = 0; i < 16; i += 4) {
		__builtin_memcpy(&f, from + i, 4);
		__builtin_memcpy(&t, to + i, 4);
		check = csum_replace4(check, f, t);
	}
	return check;
}

/*
 * Rewrite the copy of an inner IPv6 frame in a ring record of `size` bytes:
 * MACs, destination address, destination port, and the UDP or TCP checksum
 * (the pseudo-header holds both addresses; IPv6 has no header checksum).
 * The hop limit is not changed.  Returns 0, or -1 when the L4 header would
 * not lie within the record (never for a frame inner6() accepted).
 */
static __always_inline int rewrite6(__u8 *frame, __u32 size, const struct inner *in,
				    const struct tgt *t, const struct vxfwd_cfg *cfg,
				    const struct vxfwd_nh *nh)
{
	/* 64-bit offsets: the bound checked is the register the stores add */
	__u64 l4 = ETH_HLEN + in->hlen, ck;
	__be16 port = t->port_be;
	__u16 l4c;

	ck = l4 + (in->proto == IPPROTO_UDP ? offsetof(struct udphdr, check) :
					      offsetof(struct tcphdr, check));
	barrier_var(l4);
	if (l4 > size - sizeof(struct udphdr))
		return -1;
	barrier_var(ck);
	if (ck > size - 2)
		return -1;
	__builtin_memcpy(frame, nh->mac, ETH_ALEN);
	__builtin_memcpy(frame + ETH_ALEN, cfg->egress_mac, ETH_ALEN);
	__builtin_memcpy(frame + ETH_HLEN + offsetof(struct ipv6hdr, daddr), t->addr6, 16);
	__builtin_memcpy(frame + l4 + offsetof(struct udphdr, dest), &port, 2);
	l4c = csum_replace16(in->l4_csum, (const __u8 *)&in->ip6.daddr, t->addr6);
	l4c = csum_replace2(l4c, in->dport_be, port);
	if (in->proto == IPPROTO_UDP && !l4c)
		l4c = 0xffff;
	__builtin_memcpy(frame + ck, &l4c, 2);
	return 0;
}

/*
 * Reserve a record of a constant size class, copy the inner frame, rewrite
 * it and submit.  Returns the counter that decides the frame.
 */
#define EMIT_CLASS(SIZE)                                                                           \
	static __always_inline __u32 emit_##SIZE(                                                  \
		struct xdp_md *ctx, void *ring, const struct inner *in, const struct tgt *t,       \
		const struct vxfwd_cfg *cfg, const struct vxfwd_nh *nh, __u32 pos)                 \
	{                                                                                          \
		struct vxfwd_rec *rec;                                                             \
		__u64 n = in->frame_len;                                                           \
                                                                                                   \
		rec = bpf_ringbuf_reserve(ring, sizeof(*rec) + (SIZE), 0);                         \
		if (!rec)                                                                          \
			return VXFWD_C_DROP_RING_FULL;                                             \
		/* Separate checks on one register: the verifier sees both. */                     \
		barrier_var(n);                                                                    \
		if (n > (SIZE))                                                                    \
			goto discard;                                                              \
		barrier_var(n);                                                                    \
		if (n < ETH_HLEN + sizeof(struct iphdr))                                           \
			goto discard;                                                              \
		if (bpf_xdp_load_bytes(ctx, in->eth_off, rec->frame, n))                           \
			goto discard;                                                              \
		if (!in->nat6)                                                                     \
			rewrite(rec->frame, in, t, cfg, nh);                                       \
		else if (rewrite6(rec->frame, (SIZE), in, t, cfg, nh))                             \
			goto discard;                                                              \
		rec->len = n;                                                                      \
		rec->rule = pos;                                                                   \
		rec->cpu = bpf_get_smp_processor_id();                                             \
		rec->tstamp_ns = bpf_ktime_get_ns();                                               \
		bpf_ringbuf_submit(rec, 0);                                                        \
		return VXFWD_C_FORWARD;                                                            \
	discard:                                                                                   \
		bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);                                        \
		return VXFWD_C_DROP_INNER_TRUNCATED;                                               \
	}

EMIT_CLASS(128)
EMIT_CLASS(256)
EMIT_CLASS(512)
EMIT_CLASS(1024)
EMIT_CLASS(2048)
EMIT_CLASS(4096)
EMIT_CLASS(9216)

_Static_assert(VXFWD_MAX_FRAME == 9216, "largest size class must be VXFWD_MAX_FRAME");

/*
 * Engine workers, set by user space before load (rodata: the verifier sees
 * a constant and keeps only the path for it).
 */
const volatile __u32 vxfwd_nr_rings = 1;

/* The ring of the worker that serves this CPU; NULL while its slot is empty. */
static __always_inline void *cpu_ring(void)
{
	__u32 idx;

	if (vxfwd_nr_rings <= 1)
		return &vxfwd_ring;
	idx = bpf_get_smp_processor_id() % vxfwd_nr_rings;
	return bpf_map_lookup_elem(&vxfwd_rings, &idx);
}

/*
 * Room for a record of the largest class is left in `ring`.  Checked before
 * the inner packet is parsed, so that a frame the ring cannot take is
 * refused for the price of the outer headers, not of parse, lookups and copy.
 */
static __always_inline int ring_has_room(void *ring)
{
	__u64 size = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE);
	__u64 used = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);

	return used + VXFWD_RING_HEADROOM <= size;
}

static __always_inline __u32 emit(struct xdp_md *ctx, void *ring, const struct inner *in,
				  const struct tgt *t, const struct vxfwd_cfg *cfg,
				  const struct vxfwd_nh *nh, __u32 pos)
{
	__u32 n = in->frame_len;

	if (n <= 128)
		return emit_128(ctx, ring, in, t, cfg, nh, pos);
	if (n <= 256)
		return emit_256(ctx, ring, in, t, cfg, nh, pos);
	if (n <= 512)
		return emit_512(ctx, ring, in, t, cfg, nh, pos);
	if (n <= 1024)
		return emit_1024(ctx, ring, in, t, cfg, nh, pos);
	if (n <= 2048)
		return emit_2048(ctx, ring, in, t, cfg, nh, pos);
	if (n <= 4096)
		return emit_4096(ctx, ring, in, t, cfg, nh, pos);
	if (n <= VXFWD_MAX_FRAME)
		return emit_9216(ctx, ring, in, t, cfg, nh, pos);
	return VXFWD_C_DROP_TOO_BIG;
}

/* The copies of rule `pos`'s target `t` counted in vxfwd_tgt_cnt (field: queued, ...). */
static __always_inline void count_target(const struct inner *in, __u32 pos, __u32 t, __u32 field)
{
	__u32 idx = (in->gen * VXFWD_MAX_RULES + pos) * VXFWD_MAX_TARGETS + t;
	struct vxfwd_target_count *tc = bpf_map_lookup_elem(&vxfwd_tgt_cnt, &idx);
	struct vxfwd_count *c;

	if (!tc)
		return;
	c = field == VXFWD_C_FORWARD	       ? &tc->queued
	    : field == VXFWD_C_DROP_NO_NEXTHOP ? &tc->no_nexthop
					       : &tc->ring_full;
	c->packets++;
	c->bytes += in->frame_len;
}

/* Copies queued beyond a frame's first (VXFWD_TARGET_CNT_EXTRA). */
static __always_inline void count_extra(const struct inner *in, __u32 n)
{
	__u32 idx = VXFWD_TARGET_CNT_EXTRA;
	struct vxfwd_target_count *tc = bpf_map_lookup_elem(&vxfwd_tgt_cnt, &idx);

	if (!tc)
		return;
	tc->queued.packets += n;
	tc->queued.bytes += (__u64)n * in->frame_len;
}

/* The next hop of a copy's destination, NULL unless it is valid. */
static __always_inline const struct vxfwd_nh *nexthop(const struct inner *in, const struct tgt *t)
{
	const struct vxfwd_nh *nh;

	if (!in->nat6)
		nh = bpf_map_lookup_elem(&vxfwd_nexthop, &t->addr);
	else
		nh = bpf_map_lookup_elem(&vxfwd_nexthop6, t->addr6);
	return nh && (nh->flags & VXFWD_NH_F_VALID) ? nh : NULL;
}

/* A rule's first (or only) target, the port chosen. */
static __always_inline void first_target(const struct vxfwd_rule *r, const struct inner *in,
					 struct tgt *t)
{
	t->addr = r->nat_addr;
	t->addr6 = r->nat_addr6;
	t->port_be = (r->flags & VXFWD_RULE_F_NAT_PORT) ? r->nat_port_be : in->dport_be;
}

/* Target `i` (>= 1) of a fan-out rule, the port chosen. */
static __always_inline void more_target(const struct vxfwd_rule *r, __u32 i, const struct inner *in,
					struct tgt *t)
{
	const struct vxfwd_target *m = &r->more[(i - 1) & (VXFWD_MAX_TARGETS - 1)];

	t->addr = m->addr;
	t->addr6 = m->addr6;
	t->port_be = (m->flags & VXFWD_TARGET_F_PORT) ? m->port_be : in->dport_be;
}

_Static_assert((VXFWD_MAX_TARGETS & (VXFWD_MAX_TARGETS - 1)) == 0,
	       "VXFWD_MAX_TARGETS must be a power of two (the index mask)");

/*
 * One copy per target of a fan-out rule, each a finished frame in its own
 * record.  A target without a valid next hop or that the ring refuses is
 * counted in vxfwd_tgt_cnt and the others still go.  The frame's counter:
 * FORWARD when a copy was queued, DROP_RING_FULL when some target had a next
 * hop but the ring took none, DROP_NO_NEXTHOP when no target had one.  A
 * frame that fits no record (DROP_TOO_BIG, DROP_INNER_TRUNCATED) fails the
 * same way for every copy, at the first.
 */
static __always_inline __u32 fanout(struct xdp_md *ctx, void *ring, const struct inner *in,
				    const struct vxfwd_rule *r, const struct vxfwd_cfg *cfg,
				    __u32 pos)
{
	__u32 i, n = r->n_targets, queued = 0, verdict = VXFWD_C_DROP_NO_NEXTHOP, ret;
	const struct vxfwd_nh *nh;
	struct tgt t;

	first_target(r, in, &t);
#pragma clang loop unroll(disable)
	for (i = 0; i < VXFWD_MAX_TARGETS; i++) {
		if (i >= n)
			break;
		if (i)
			more_target(r, i, in, &t);
		nh = nexthop(in, &t);
		if (!nh) {
			count_target(in, pos, i, VXFWD_C_DROP_NO_NEXTHOP);
			continue;
		}
		ret = emit(ctx, ring, in, &t, cfg, nh, pos);
		if (ret == VXFWD_C_DROP_RING_FULL) {
			verdict = ret;
			count_target(in, pos, i, ret);
			continue;
		}
		if (ret != VXFWD_C_FORWARD)
			return ret;
		queued++;
		count_target(in, pos, i, ret);
	}
	if (queued > 1)
		count_extra(in, queued - 1);
	return queued ? VXFWD_C_FORWARD : verdict;
}

/* The frame's rule and organization counters, once per frame whatever its copies. */
static __always_inline void count_forwarded(const struct inner *in, __u32 pos, __u32 org)
{
	__u32 idx = in->gen * VXFWD_MAX_RULES + pos;

	count(idx, in->frame_len, &vxfwd_rule_cnt);
	if (org && org <= VXFWD_MAX_ORGS) {
		idx = in->gen * VXFWD_MAX_ORGS + org - 1;
		count(idx, in->frame_len, &vxfwd_org_cnt);
	}
}

/*
 * A single-target rule (n_targets 0 or 1) takes the path it always had:
 * its queued copies are not counted per target (they are its rule's
 * frames); only a copy it could not queue is.
 */
static __always_inline __u32 forward(struct xdp_md *ctx, void *ring, struct inner *in,
				     __u32 *rule)
{
	const struct vxfwd_lpm_val *src, *dst;
	const struct vxfwd_rule *r;
	const struct vxfwd_cfg *cfg;
	const struct vxfwd_nh *nh;
	__u64 src_sets = 0, dst_sets = 0;
	__u32 pos = 0, org = 0, ret;
	struct tgt t;

	cfg = bpf_map_lookup_elem(&vxfwd_cfg, &in->gen);
	if (!cfg)
		return VXFWD_C_DROP_NO_CONFIG;
	if (!in->nat6) {
		src = lpm(in->gen, in->ip.ip.saddr);
		dst = lpm(in->gen, in->ip.ip.daddr);
	} else {
		src = lpm6(in->gen, &in->ip6.saddr);
		dst = lpm6(in->gen, &in->ip6.daddr);
	}
	if (src) {
		src_sets = src->sets;
		org = src->org;
	}
	if (dst)
		dst_sets = dst->sets;

	r = match(cfg, in, src_sets, dst_sets, &pos);
	if (!r)
		return src_sets ? VXFWD_C_DROP_NO_RULE : VXFWD_C_DROP_SRC_NOT_ALLOWED;
	*rule = pos;
	if (r->n_targets > 1) {
		ret = fanout(ctx, ring, in, r, cfg, pos);
		if (ret == VXFWD_C_FORWARD)
			count_forwarded(in, pos, org);
		return ret;
	}
	first_target(r, in, &t);
	nh = nexthop(in, &t);
	if (!nh) {
		count_target(in, pos, 0, VXFWD_C_DROP_NO_NEXTHOP);
		return VXFWD_C_DROP_NO_NEXTHOP;
	}
	ret = emit(ctx, ring, in, &t, cfg, nh, pos);
	if (ret != VXFWD_C_FORWARD) {
		if (ret == VXFWD_C_DROP_RING_FULL)
			count_target(in, pos, 0, ret);
		return ret;
	}
	count_forwarded(in, pos, org);
	return VXFWD_C_FORWARD;
}

static __always_inline __u32 classify(struct xdp_md *ctx, __u32 len, struct inner *in,
				      __u32 *rule)
{
	struct cursor c = {.off = 0, .len = len};
	void *ring;
	__u32 ret;

	ret = outer(ctx, &c, in);
	if (ret != VXFWD_C_FORWARD)
		return ret;
	ring = cpu_ring();
	if (!ring || !ring_has_room(ring))
		return VXFWD_C_DROP_RING_FULL;
	ret = inner(ctx, &c, in);
	if (ret != VXFWD_C_FORWARD)
		return ret;
	return forward(ctx, ring, in, rule);
}

/*
 * One monitor event for a mirror frame, when it is sampled and this CPU's
 * bucket has a token.  Fields not parsed yet stay 0.
 */
static __noinline void monitor(const struct inner *in, __u32 verdict, __u32 rule, __u32 len)
{
	struct vxfwd_mon_ev *ev;
	struct vxfwd_mon_tb *tb;
	__u32 zero = 0;
	__u64 now;

	tb = bpf_map_lookup_elem(&vxfwd_mon_tb, &zero);
	if (!tb || !mon_sampled())
		return;
	now = bpf_ktime_get_ns();
	if (!mon_take(tb, now)) {
		tb->suppressed++;
		return;
	}
	ev = bpf_ringbuf_reserve(&vxfwd_mon_ring, sizeof(*ev), 0);
	if (!ev) {
		tb->suppressed++;
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->tstamp_ns = now;
	ev->counter = verdict;
	ev->len = len;
	ev->vni = in->vni;
	ev->gen = in->gen;
	ev->rule = rule;
	ev->cpu = bpf_get_smp_processor_id();
	/* the version nibble tells which header the union holds, if any */
	ev->family = in->ip.ip.version;
	if (ev->family == 6) {
		ev->proto = in->proto;
		__builtin_memcpy(&ev->saddr6, &in->ip6.saddr, sizeof(ev->saddr6));
		__builtin_memcpy(&ev->daddr6, &in->ip6.daddr, sizeof(ev->daddr6));
	} else if (ev->family == 4) {
		ev->proto = in->ip.ip.protocol;
		ev->saddr = in->ip.ip.saddr;
		ev->daddr = in->ip.ip.daddr;
	} else {
		ev->family = 0;
	}
	ev->sport_be = in->sport_be;
	ev->dport_be = in->dport_be;
	ev->suppressed = tb->suppressed;
	tb->suppressed = 0;
	bpf_ringbuf_submit(ev, 0);
}

SEC("xdp.frags")
int vxfwd_xdp(struct xdp_md *ctx)
{
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u32 verdict, rule = VXFWD_MON_NO_RULE;
	struct inner in = {};

	verdict = classify(ctx, len, &in, &rule);
	count(VXFWD_C_RX, len, &vxfwd_counters);
	count(verdict, len, &vxfwd_counters);
	if (vxfwd_mon.on && verdict != VXFWD_C_PASS)
		monitor(&in, verdict, rule, len);
	return verdict == VXFWD_C_PASS ? XDP_PASS : XDP_DROP;
}
