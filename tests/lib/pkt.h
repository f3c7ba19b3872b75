/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkt.h - a small builder of VXLAN mirror frames for the BPF tests, and the
 * reference rewrite (full checksums) that forwarded frames are compared to.
 *
 * Every knob defaults to 0, which means "a well-formed frame": outer
 * Ethernet/IPv4/UDP 4789/VXLAN VNI 1, inner Ethernet/IPv4/UDP.  With g_on,
 * that frame's IPv4 packet (from the outer IPv4 header to the end, o_pad
 * and lost applied) is carried in Ethernet/IPv4/UDP 6081/GENEVE as a
 * Gateway Load Balancer sends it; the o_* knobs then shape the carried
 * packet and the g_* knobs the GENEVE frame around it.
 */
#ifndef VXFWD_TEST_PKT_H
#define VXFWD_TEST_PKT_H

#include <stddef.h>
#include <linux/types.h>

#define PKT_MAX 16384

struct pkt_spec {
	/* outer headers */
	__u16 o_ethertype; /* 0: IPv4 */
	__u16 o_vlan;	   /* non-zero: 802.1Q tag with this VID */
	__u8 o_proto;	   /* 0: UDP */
	__u8 o_opts;	   /* IPv4 option bytes (multiple of 4) */
	__u8 o_ihl;	   /* non-zero: IHL field as written */
	__u8 o_ver;	   /* non-zero: IP version field as written */
	__u16 o_frag;	   /* frag_off field, host order */
	__u16 o_dport;	   /* 0: 4789 */
	__u16 o_tot_len;   /* non-zero: IPv4 total length as written */
	__u16 o_udp_len;   /* non-zero: UDP length as written */
	__u16 o_pad;	   /* Ethernet padding after the IPv4 packet */
	__u8 vx_flags_xor; /* XORed into the flags byte 0x08 */
	__u8 vx_rsvd;	   /* written into every reserved byte */
	__u32 vni;	   /* 0: VNI 1 */
	/* inner Ethernet */
	__u16 i_ethertype; /* 0: IPv4 */
	__u16 i_vlan;	   /* non-zero: 802.1Q tag before i_ethertype */
	__u16 i_qinq;	   /* non-zero: 802.1ad tag before the 802.1Q one */
	/* inner IPv4 */
	__u8 i_opts;	 /* option bytes (multiple of 4) */
	__u8 i_ihl;	 /* non-zero: IHL field as written */
	__u8 i_ver;	 /* non-zero: IP version field as written */
	__u16 i_tot_len; /* non-zero: total length as written */
	__u16 i_frag;	 /* frag_off field, host order */
	__u8 i_bad_csum; /* flip the header checksum */
	__u8 i_proto;	 /* 0: UDP */
	const char *src; /* 0: 198.51.100.10 */
	const char *dst; /* 0: 10.0.0.1 */
	/* inner L4 */
	__u16 sport;	/* 0: 40000 */
	__u16 dport;	/* 0: 31765 */
	__u8 udp_csum0; /* UDP checksum 0 (none) */
	__u8 tcp_doff;	/* non-zero: TCP data offset as written */
	__u16 payload;	/* payload bytes after the L4 header */
	/* the frame as captured */
	__u16 pad;  /* mirror padding after the inner IP packet */
	__u16 cut;  /* bytes the mirror left out: the outer lengths count without them */
	__u16 lost; /* bytes lost from the end after every length was written */
	/* GENEVE around it */
	__u8 g_on;	    /* non-zero: wrap in GENEVE */
	__u8 g_ver;	    /* version field as written */
	__u8 g_flags;	    /* second header byte as written (O 0x80, C 0x40) */
	__u8 g_optlen;	    /* non-zero: option length field as written (words) */
	__u16 g_proto;	    /* 0: 0x0800 */
	__u16 g_dport;	    /* 0: 6081 */
	const __u8 *g_opts; /* option bytes; NULL: the three options of a GWLB */
	__u16 g_opts_len;   /* bytes of g_opts, a multiple of 4 */
	__u16 g_frag;	    /* outer frag_off field, host order */
	__u16 g_tot_len;    /* non-zero: outer IPv4 total length as written */
	__u16 g_udp_len;    /* non-zero: outer UDP length as written */
	__u16 g_keep;	    /* non-zero: the frame ends this many bytes after the outer
			       UDP header, outer lengths written for what is kept */
	__u16 g_lost;	    /* bytes lost from the end after every length was written */
	/* inner IPv6 instead of IPv4 (src, dst: 0 = 2001:db8:1::10, 2001:db8:ff::1;
	   i_ver, i_proto, the L4 knobs and payload apply as for IPv4) */
	__u8 i6;	 /* build an inner Ethernet/IPv6 packet */
	__u8 i6_n_ext;	 /* extension headers before the L4 header, 8 bytes each */
	__u8 i6_ext[8];	 /* their types: 0 hop-by-hop, 43 routing, 44 fragment, 60 options */
	__u16 i6_plen;	 /* non-zero: payload length as written */
	__u8 i6_hlim;	 /* 0: 64 */
};

/* The options of a Gateway Load Balancer (class 0x0108), 32 bytes. */
extern const __u8 pkt_gwlb_opts[32];

/*
 * A built frame and where its inner frame starts.  The outer IPv4 packet and
 * UDP datagram end at the same byte, before o_pad, unless o_tot_len or
 * o_udp_len say otherwise.
 */
struct pkt {
	__u8 buf[PKT_MAX];
	size_t len;
	size_t inner_off; /* inner Ethernet header */
	size_t inner_len; /* 14 + inner IPv4 total length as built */
};

int pkt_build(const struct pkt_spec *s, struct pkt *p);

/* Big-endian 16-bit fields of a frame. */
static inline __u16 pkt_get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static inline void pkt_put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* One's complement sum over `len` bytes, folded, not inverted. */
__u16 csum_fold_sum(const void *data, size_t len, __u32 sum);

/*
 * The forwarded frame the program must produce from inner frame `in` (len
 * bytes: Ethernet + IPv4 total length): MACs set, destination rewritten, the
 * IPv4 and L4 checksums computed in full.  nat_port 0 keeps the port.
 * Returns 0 or -EINVAL when `in` is not an Ethernet/IPv4/UDP|TCP frame.
 */
int pkt_expect(const __u8 *in, size_t len, __be32 nat_addr, __u16 nat_port, const __u8 *dst_mac,
	       const __u8 *src_mac, __u8 *out);

/*
 * pkt_expect() of an inner Ethernet/IPv6 frame (extension headers of 8n
 * bytes walked) to IPv6 target `nat6` (16 bytes): the L4 checksum is
 * computed in full over the IPv6 pseudo-header; the hop limit is kept.
 */
int pkt_expect6(const __u8 *in, size_t len, const __u8 *nat6, __u16 nat_port,
		const __u8 *dst_mac, const __u8 *src_mac, __u8 *out);

/*
 * 0 when the IPv4 header and the L4 checksum of Ethernet frame `f` verify;
 * for IPv6, the L4 checksum (0 in UDP is an error there).
 */
int pkt_verify_csums(const __u8 *f, size_t len);

/*
 * Change the first payload word of UDP inner frame `in` so that, once the
 * DNAT of pkt_expect() is applied, the full UDP checksum computes to 0 (sent
 * as 0xffff); the input's own checksum is recomputed.  Returns 0 or -EINVAL.
 */
int pkt_tune_zero_csum(__u8 *in, size_t len, __be32 nat_addr, __u16 nat_port);

#endif /* VXFWD_TEST_PKT_H */
