/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_parse.h - header parsers over a cursor.
 *
 * The cursor is an offset into the whole frame (linear part and xdp frags);
 * headers are copied to the stack with bpf_xdp_load_bytes(), so a header that
 * straddles a fragment boundary parses like any other.  Each parser checks
 * the bytes it needs, fills its header and advances the cursor; it returns
 * the next protocol (or a non-negative value it documents) on success and a
 * negative enum vxfwd_perr on failure.
 */
#ifndef VXFWD_PARSE_H
#define VXFWD_PARSE_H

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
#include "vxfwd_limits.h"

#define IPV4_MF	    0x2000
#define IPV4_OFFSET 0x1fff

enum vxfwd_perr {
	VXFWD_PE_SHORT = 1, /* fewer bytes than the header needs */
	VXFWD_PE_VERSION,   /* IPv4 ethertype, but not version 4 */
	VXFWD_PE_IHL,	    /* IPv4 IHL below 5 */
	VXFWD_PE_LEN,	    /* IPv4 total length below the header length */
	VXFWD_PE_VXLAN,	    /* VXLAN I flag clear or reserved bits set */
	VXFWD_PE_DOFF,	    /* TCP data offset below 5 */
	VXFWD_PE_GENEVE,    /* GENEVE version not 0 or O (control) flag set */
};

struct cursor {
	__u32 off; /* next byte to parse */
	__u32 len; /* whole frame length, frags included */
};

/* An IPv4 header with room for every option. */
union ipv4_buf {
	struct iphdr ip;
	__u8 raw[VXFWD_IPV4_MAX_HLEN];
};

struct vxlanhdr {
	__u8 flags;
	__u8 rsvd1[3];
	__be32 vni_rsvd2; /* VNI << 8 | reserved */
};

/* RFC 8926 base header. */
struct genevehdr {
	__u8 ver_optlen;  /* version (2 bits), option length in 4-byte words (6) */
	__u8 flags;	  /* O, C, reserved */
	__be16 proto;	  /* protocol type of the payload */
	__be32 vni_rsvd;  /* VNI << 8 | reserved */
};

/* RFC 8926 option header; `len` bytes of data follow it. */
struct geneve_opt {
	__be16 class;
	__u8 type;	  /* the high bit is the critical bit */
	__u8 rsvd_len;	  /* reserved (3 bits), data length in 4-byte words (5) */
};

static __always_inline int cursor_load(struct xdp_md *ctx, struct cursor *c, void *dst, __u32 n)
{
	if (c->off + n > c->len)
		return -VXFWD_PE_SHORT;
	if (bpf_xdp_load_bytes(ctx, c->off, dst, n))
		return -VXFWD_PE_SHORT;
	c->off += n;
	return 0;
}

/* Returns the ethertype, host order. */
static __always_inline int parse_eth(struct xdp_md *ctx, struct cursor *c, struct ethhdr *eth)
{
	int ret = cursor_load(ctx, c, eth, sizeof(*eth));

	if (ret < 0)
		return ret;
	return bpf_ntohs(eth->h_proto);
}

/*
 * Returns the IP protocol.  The whole header, options included, is copied
 * into *buf; *hlen receives its length (20..60).
 */
static __always_inline int parse_ipv4(struct xdp_md *ctx, struct cursor *c, union ipv4_buf *buf,
				      __u32 *hlen)
{
	__u32 start = c->off;
	__u32 n;
	int ret;

	ret = cursor_load(ctx, c, &buf->ip, sizeof(buf->ip));
	if (ret < 0)
		return ret;
	if (buf->ip.version != 4)
		return -VXFWD_PE_VERSION;
	if (buf->ip.ihl < 5)
		return -VXFWD_PE_IHL;
	n = (buf->ip.ihl * 4) & 0x3c;
	if (n > sizeof(buf->ip)) {
		c->off = start;
		ret = cursor_load(ctx, c, buf->raw, n);
		if (ret < 0)
			return ret;
	}
	*hlen = n;
	return buf->ip.protocol;
}

/*
 * Returns the next header of a fixed IPv6 header, copied into *ip6; the
 * version must be 6.
 */
static __always_inline int parse_ipv6(struct xdp_md *ctx, struct cursor *c, struct ipv6hdr *ip6)
{
	int ret = cursor_load(ctx, c, ip6, sizeof(*ip6));

	if (ret < 0)
		return ret;
	if (ip6->version != 6)
		return -VXFWD_PE_VERSION;
	return ip6->nexthdr;
}

/* The first two bytes of an IPv6 extension header: next header, length in 8 bytes - 1. */
struct ipv6_ext {
	__u8 nexthdr;
	__u8 len;
};

/* Returns 0. */
static __always_inline int parse_udp(struct xdp_md *ctx, struct cursor *c, struct udphdr *udp)
{
	return cursor_load(ctx, c, udp, sizeof(*udp));
}

/* Returns 0; the cursor is left after the fixed header, options not parsed. */
static __always_inline int parse_tcp(struct xdp_md *ctx, struct cursor *c, struct tcphdr *tcp)
{
	int ret = cursor_load(ctx, c, tcp, sizeof(*tcp));

	if (ret < 0)
		return ret;
	if (tcp->doff < 5)
		return -VXFWD_PE_DOFF;
	return 0;
}

/* Returns the VNI (24 bits, host order). */
static __always_inline int parse_vxlan(struct xdp_md *ctx, struct cursor *c)
{
	struct vxlanhdr vx;
	__u32 w;
	int ret;

	ret = cursor_load(ctx, c, &vx, sizeof(vx));
	if (ret < 0)
		return ret;
	w = bpf_ntohl(vx.vni_rsvd2);
	if (vx.flags != VXFWD_VXLAN_FLAG_I || vx.rsvd1[0] || vx.rsvd1[1] || vx.rsvd1[2] ||
	    (w & 0xff))
		return -VXFWD_PE_VXLAN;
	return w >> 8;
}

/*
 * Returns the length of the option area in bytes; the cursor is left on
 * the first option.  Reserved bits and the C flag are not looked at here:
 * the options themselves say which are critical.
 */
static __always_inline int parse_geneve(struct xdp_md *ctx, struct cursor *c,
					struct genevehdr *gh)
{
	int ret = cursor_load(ctx, c, gh, sizeof(*gh));

	if (ret < 0)
		return ret;
	if ((gh->ver_optlen >> 6) || (gh->flags & VXFWD_GENEVE_F_OAM))
		return -VXFWD_PE_GENEVE;
	return (gh->ver_optlen & 0x3f) * 4;
}

#endif /* VXFWD_PARSE_H */
