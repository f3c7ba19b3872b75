// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkt.c - see pkt.h.  Checksums here are always computed in full over the
 * bytes (RFC 1071), never incrementally, so that they check the program's
 * RFC 1624 updates independently.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "pkt.h"

#define VXLAN_PORT 4789
#define UDP_HLEN   8
#define TCP_HLEN   20
#define IP_HLEN	   20

static const __u8 outer_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const __u8 outer_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const __u8 inner_dst[6] = {0x0a, 0x00, 0x00, 0x00, 0x00, 0x03};
static const __u8 inner_src[6] = {0x0a, 0x00, 0x00, 0x00, 0x00, 0x04};

__u16 csum_fold_sum(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += pkt_get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Sum of the IPv4 pseudo-header of the L4 segment after IPv4 header `ip`. */
static __u32 pseudo_sum(const __u8 *ip, __u8 proto, __u16 l4_len)
{
	__u32 sum = 0;

	sum += pkt_get16(ip + 12) + pkt_get16(ip + 14);
	sum += pkt_get16(ip + 16) + pkt_get16(ip + 18);
	sum += proto;
	sum += l4_len;
	return sum;
}

static size_t put_eth(__u8 *p, const __u8 *dst, const __u8 *src, __u16 type, __u16 qinq, __u16 vlan)
{
	size_t n = 12;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (qinq) {
		pkt_put16(p + n, ETH_P_8021AD);
		pkt_put16(p + n + 2, qinq);
		n += 4;
	}
	if (vlan) {
		pkt_put16(p + n, ETH_P_8021Q);
		pkt_put16(p + n + 2, vlan);
		n += 4;
	}
	pkt_put16(p + n, type);
	return n + 2;
}

/* IPv4 header with `opts` bytes of NOP options; checksum left at 0. */
static size_t put_ipv4(__u8 *p, __u8 ver, __u8 opts, __u8 ihl, __u16 tot_len, __u16 frag,
		       __u8 proto, __be32 src, __be32 dst)
{
	size_t hlen = IP_HLEN + opts;

	memset(p, 0, hlen);
	p[0] = (ver ? ver : 4) << 4 | (ihl ? ihl : hlen / 4);
	pkt_put16(p + 2, tot_len);
	pkt_put16(p + 4, 0x1234);
	pkt_put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	memset(p + IP_HLEN, 1, opts); /* NOP */
	return hlen;
}

static void ipv4_csum(__u8 *ip, size_t hlen)
{
	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, (__u16)~csum_fold_sum(ip, hlen, 0));
}

/* The checksum of the UDP/TCP segment at l4 over `pseudo`, in place. */
static void l4_csum_put(__u8 *l4, __u8 proto, size_t l4_len, __u32 pseudo)
{
	size_t off = proto == IPPROTO_TCP ? 16 : 6;
	__u16 c;

	pkt_put16(l4 + off, 0);
	c = ~csum_fold_sum(l4, l4_len, pseudo);
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	pkt_put16(l4 + off, c);
}

/* Checksum of the L4 segment at ip + hlen, `l4_len` bytes, in place. */
static void l4_csum(__u8 *ip, size_t hlen, __u8 proto, __u16 l4_len)
{
	l4_csum_put(ip + hlen, proto, l4_len, pseudo_sum(ip, proto, l4_len));
}

static __be32 addr_or(const char *s, const char *dflt)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s ? s : dflt, &a) != 1)
		return 0;
	return a.s_addr;
}

/* Sum of the IPv6 pseudo-header of an L4 segment of IPv6 header `ip6`. */
static __u32 pseudo6_sum(const __u8 *ip6, __u8 proto, __u32 l4_len)
{
	__u32 sum = 0;
	int i;

	for (i = 8; i < 40; i += 2)
		sum += pkt_get16(ip6 + i);
	sum += l4_len >> 16;
	sum += l4_len & 0xffff;
	sum += proto;
	return sum;
}

/* The L4 checksum of the segment at l4 (after IPv6 header ip6), in place. */
static void l4_csum6(const __u8 *ip6, __u8 *l4, __u8 proto, __u32 l4_len)
{
	l4_csum_put(l4, proto, l4_len, pseudo6_sum(ip6, proto, l4_len));
}

/* The L4 header of `proto` at `l4`: ports, TCP flags or UDP length, payload. */
static void put_l4(const struct pkt_spec *s, __u8 *l4, __u8 proto, size_t l4h, size_t l4_len)
{
	size_t i;

	memset(l4, 0, l4h);
	pkt_put16(l4, s->sport ? s->sport : 40000);
	pkt_put16(l4 + 2, s->dport ? s->dport : 31765);
	for (i = 0; i < s->payload; i++)
		l4[l4h + i] = (__u8)(i * 7 + 3);
	if (proto == IPPROTO_TCP) {
		l4[12] = (s->tcp_doff ? s->tcp_doff : 5) << 4;
		l4[13] = 0x18; /* PSH|ACK */
		pkt_put16(l4 + 14, 64240);
	} else {
		pkt_put16(l4 + 4, l4_len);
	}
}

/*
 * The inner IPv6 packet at `p`, extension headers of 8 bytes each (options
 * headers carry one PadN option); returns its length as built.
 */
static size_t build_inner_ip6(const struct pkt_spec *s, __u8 *p)
{
	__u8 proto = s->i_proto ? s->i_proto : IPPROTO_UDP, *h, *l4;
	size_t l4h = proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN, ext = 8u * s->i6_n_ext;
	size_t l4_len = l4h + s->payload, i;

	memset(p, 0, 40 + ext);
	p[0] = (s->i_ver ? s->i_ver : 6) << 4;
	p[1] = 0x2a; /* flow label bits, kept as they are */
	pkt_put16(p + 4, s->i6_plen ? s->i6_plen : (__u16)(ext + l4_len));
	p[6] = s->i6_n_ext ? s->i6_ext[0] : proto;
	p[7] = s->i6_hlim ? s->i6_hlim : 64;
	inet_pton(AF_INET6, s->src ? s->src : "2001:db8:1::10", p + 8);
	inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8:ff::1", p + 24);
	for (i = 0; i < s->i6_n_ext; i++) {
		h = p + 40 + 8 * i;
		h[0] = i + 1 < s->i6_n_ext ? s->i6_ext[i + 1] : proto;
		if (s->i6_ext[i] == 0 || s->i6_ext[i] == 60) {
			h[2] = 1; /* PadN */
			h[3] = 4;
		}
	}
	l4 = p + 40 + ext;
	put_l4(s, l4, proto, l4h, l4_len);
	if (proto == IPPROTO_TCP || (proto == IPPROTO_UDP && !s->udp_csum0))
		l4_csum6(p, l4, proto, (__u32)l4_len);
	return 40 + ext + l4_len;
}

/* The inner IPv4 packet at `p`; returns its length as built. */
static size_t build_inner_ip(const struct pkt_spec *s, __u8 *p)
{
	__u8 proto = s->i_proto ? s->i_proto : IPPROTO_UDP;
	size_t hlen, l4_len, l4h = proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN;
	__u16 tot;

	l4_len = l4h + s->payload;
	tot = s->i_tot_len ? s->i_tot_len : IP_HLEN + s->i_opts + l4_len;
	hlen = put_ipv4(p, s->i_ver, s->i_opts, s->i_ihl, tot, s->i_frag, proto,
			addr_or(s->src, "198.51.100.10"), addr_or(s->dst, "10.0.0.1"));
	put_l4(s, p + hlen, proto, l4h, l4_len);
	if (proto == IPPROTO_TCP || (proto == IPPROTO_UDP && !s->udp_csum0))
		l4_csum(p, hlen, proto, l4_len);
	ipv4_csum(p, hlen);
	if (s->i_bad_csum)
		p[10] ^= 0x5a;
	return hlen + l4_len;
}

/* GWLB endpoint id (type 1, 8 bytes), attachment id (2, 8), flow cookie (3, 4). */
const __u8 pkt_gwlb_opts[32] = {
	0x01, 0x08, 0x01, 0x02, 0x0e, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f,
	0x01, 0x08, 0x02, 0x02, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71,
	0x01, 0x08, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef,
};

/*
 * Carry the IPv4 packet of frame p (after its 14-byte Ethernet header) in
 * Ethernet/IPv4/UDP/GENEVE.
 */
static int geneve_wrap(const struct pkt_spec *s, struct pkt *p)
{
	const __u8 *opts = s->g_opts ? s->g_opts : pkt_gwlb_opts;
	size_t olen = s->g_opts ? s->g_opts_len : sizeof(pkt_gwlb_opts);
	size_t hdr = IP_HLEN + UDP_HLEN + 8 + olen, dgram;
	__u8 *b = p->buf, *ip = b + ETH_HLEN, *udp = ip + IP_HLEN, *g = udp + UDP_HLEN;

	if (s->o_vlan || olen & 3 || olen > 252 || p->len + hdr > PKT_MAX)
		return -EINVAL;
	memmove(b + ETH_HLEN + hdr, b + ETH_HLEN, p->len - ETH_HLEN);
	p->len += hdr;
	p->inner_off += hdr;
	g[0] = (__u8)(s->g_ver << 6 | (s->g_optlen ? s->g_optlen : olen / 4));
	g[1] = s->g_flags;
	pkt_put16(g + 2, s->g_proto ? s->g_proto : ETH_P_IP);
	g[4] = 0x12; /* VNI 0x123456; the reserved byte 0 */
	g[5] = 0x34;
	g[6] = 0x56;
	g[7] = 0;
	memcpy(g + 8, opts, olen);
	if (s->g_keep && (size_t)UDP_HLEN + s->g_keep < p->len - (size_t)(udp - b))
		p->len = (size_t)(udp - b) + UDP_HLEN + s->g_keep;
	dgram = p->len - (size_t)(udp - b);
	put_ipv4(ip, 0, 0, 0, s->g_tot_len ? s->g_tot_len : (__u16)(IP_HLEN + dgram), s->g_frag,
		 IPPROTO_UDP, addr_or("10.20.0.5", NULL), addr_or("10.20.1.9", NULL));
	ipv4_csum(ip, IP_HLEN);
	pkt_put16(udp, 61000);
	pkt_put16(udp + 2, s->g_dport ? s->g_dport : 6081);
	pkt_put16(udp + 4, s->g_udp_len ? s->g_udp_len : (__u16)dgram);
	pkt_put16(udp + 6, 0);
	if (s->g_lost >= p->len)
		return -EINVAL;
	p->len -= s->g_lost;
	return 0;
}

int pkt_build(const struct pkt_spec *s, struct pkt *p)
{
	__u8 *b = p->buf, *oip, *udp, *vx;
	size_t n, ohlen, ip_len;

	if (s->payload > PKT_MAX - 256 || (s->o_opts | s->i_opts) & 3 || s->o_opts > 40 ||
	    s->i_opts > 40 || s->i6_n_ext > sizeof(s->i6_ext))
		return -EINVAL;
	memset(p->buf, 0, sizeof(p->buf));
	n = put_eth(b, outer_dst, outer_src, s->o_ethertype ? s->o_ethertype : ETH_P_IP, 0,
		    s->o_vlan);
	oip = b + n;
	ohlen = IP_HLEN + s->o_opts;
	udp = oip + ohlen;
	vx = udp + UDP_HLEN;
	vx[0] = 0x08 ^ s->vx_flags_xor;
	memset(vx + 1, s->vx_rsvd, 3);
	vx[4] = (s->vni ? s->vni : 1) >> 16;
	vx[5] = (s->vni ? s->vni : 1) >> 8;
	vx[6] = s->vni ? s->vni : 1;
	vx[7] = s->vx_rsvd;

	p->inner_off = vx + 8 - b;
	n = put_eth(vx + 8, inner_dst, inner_src,
		    s->i_ethertype ? s->i_ethertype : s->i6 ? ETH_P_IPV6 : ETH_P_IP, s->i_qinq,
		    s->i_vlan);
	ip_len = s->i6 ? build_inner_ip6(s, vx + 8 + n) : build_inner_ip(s, vx + 8 + n);
	p->inner_len = n + ip_len;
	p->len = p->inner_off + p->inner_len + s->pad;
	memset(b + p->inner_off + p->inner_len, 0xee, s->pad);
	if (s->cut >= p->len || p->len - s->cut + s->o_pad > PKT_MAX)
		return -EINVAL;
	p->len -= s->cut;

	put_ipv4(oip, s->o_ver, s->o_opts, s->o_ihl,
		 s->o_tot_len ? s->o_tot_len : (__u16)(p->len - (size_t)(oip - b)), s->o_frag,
		 s->o_proto ? s->o_proto : IPPROTO_UDP, addr_or("172.31.0.238", NULL),
		 addr_or("172.31.17.188", NULL));
	ipv4_csum(oip, ohlen);
	pkt_put16(udp, 50000);
	pkt_put16(udp + 2, s->o_dport ? s->o_dport : VXLAN_PORT);
	pkt_put16(udp + 4, s->o_udp_len ? s->o_udp_len : (__u16)(p->len - (size_t)(udp - b)));
	memset(b + p->len, 0, s->o_pad);
	p->len += s->o_pad;
	if (s->lost >= p->len)
		return -EINVAL;
	p->len -= s->lost;
	return s->g_on ? geneve_wrap(s, p) : 0;
}

int pkt_expect(const __u8 *in, size_t len, __be32 nat_addr, __u16 nat_port, const __u8 *dst_mac,
	       const __u8 *src_mac, __u8 *out)
{
	size_t hlen, tot;
	__u8 *ip = out + ETH_HLEN, *l4, proto;
	__u16 old_csum;

	if (len < ETH_HLEN + IP_HLEN || pkt_get16(in + 12) != ETH_P_IP)
		return -EINVAL;
	memcpy(out, in, len);
	hlen = (ip[0] & 0xf) * 4;
	tot = pkt_get16(ip + 2);
	proto = ip[9];
	if (hlen < IP_HLEN || tot < hlen + UDP_HLEN || ETH_HLEN + tot != len)
		return -EINVAL;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return -EINVAL;
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	memcpy(ip + 16, &nat_addr, 4);
	ipv4_csum(ip, hlen);
	l4 = ip + hlen;
	if (nat_port)
		pkt_put16(l4 + 2, nat_port);
	old_csum = pkt_get16(l4 + (proto == IPPROTO_TCP ? 16 : 6));
	if (proto == IPPROTO_UDP && !old_csum)
		return 0;
	l4_csum(ip, hlen, proto, tot - hlen);
	return 0;
}

/*
 * The L4 header of IPv6 packet `ip6` (tot bytes: 40 + payload length) past
 * hop-by-hop and destination options: its offset in the packet, its
 * protocol in *proto, or 0 when it is not there.
 */
static size_t ip6_l4_off(const __u8 *ip6, size_t tot, __u8 *proto)
{
	size_t off = 40;
	__u8 nh = ip6[6];

	while (nh == 0 || nh == 60) {
		if (off + 8 > tot)
			return 0;
		nh = ip6[off];
		off += (ip6[off + 1] + 1u) * 8;
	}
	*proto = nh;
	return off <= tot ? off : 0;
}

int pkt_expect6(const __u8 *in, size_t len, const __u8 *nat6, __u16 nat_port,
		const __u8 *dst_mac, const __u8 *src_mac, __u8 *out)
{
	__u8 *ip6 = out + ETH_HLEN, proto = 0;
	size_t tot, off;

	if (len < ETH_HLEN + 40 || pkt_get16(in + 12) != ETH_P_IPV6)
		return -EINVAL;
	memcpy(out, in, len);
	tot = 40 + pkt_get16(ip6 + 4);
	off = ip6_l4_off(ip6, tot, &proto);
	if (ETH_HLEN + tot != len || !off || (proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    off + (proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) > tot)
		return -EINVAL;
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	memcpy(ip6 + 24, nat6, 16);
	if (nat_port)
		pkt_put16(ip6 + off + 2, nat_port);
	l4_csum6(ip6, ip6 + off, proto, (__u32)(tot - off));
	return 0;
}

static int verify_csum6(const __u8 *f, size_t len)
{
	const __u8 *ip6 = f + ETH_HLEN;
	size_t tot, off;
	__u8 proto = 0;

	if (len < ETH_HLEN + 40)
		return -EINVAL;
	tot = 40 + pkt_get16(ip6 + 4);
	if (ETH_HLEN + tot > len)
		return -EINVAL;
	off = ip6_l4_off(ip6, tot, &proto);
	if (!off || (proto != IPPROTO_UDP && proto != IPPROTO_TCP))
		return off ? 0 : -EINVAL;
	if (off + (proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) > tot)
		return -EINVAL;
	if (proto == IPPROTO_UDP && !pkt_get16(ip6 + off + 6))
		return -EBADMSG;
	if (csum_fold_sum(ip6 + off, tot - off, pseudo6_sum(ip6, proto, (__u32)(tot - off))) !=
	    0xffff)
		return -EBADMSG;
	return 0;
}

int pkt_verify_csums(const __u8 *f, size_t len)
{
	const __u8 *ip = f + ETH_HLEN, *l4;
	size_t hlen, tot;
	__u8 proto;

	if (len >= ETH_HLEN && pkt_get16(f + 12) == ETH_P_IPV6)
		return verify_csum6(f, len);
	if (len < ETH_HLEN + IP_HLEN)
		return -EINVAL;
	hlen = (ip[0] & 0xf) * 4;
	tot = pkt_get16(ip + 2);
	proto = ip[9];
	if (hlen < IP_HLEN || ETH_HLEN + tot > len || tot < hlen)
		return -EINVAL;
	if (csum_fold_sum(ip, hlen, 0) != 0xffff)
		return -EBADMSG;
	l4 = ip + hlen;
	if (proto == IPPROTO_UDP && tot >= hlen + UDP_HLEN && !pkt_get16(l4 + 6))
		return 0;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return 0;
	if (csum_fold_sum(l4, tot - hlen, pseudo_sum(ip, proto, tot - hlen)) != 0xffff)
		return -EBADMSG;
	return 0;
}

int pkt_tune_zero_csum(__u8 *in, size_t len, __be32 nat_addr, __u16 nat_port)
{
	__u8 out[PKT_MAX], *ip = in + ETH_HLEN, *w;
	size_t hlen = (ip[0] & 0xf) * 4, tot = pkt_get16(ip + 2);
	__u32 v;
	__u16 s;

	if (len > sizeof(out) || ip[9] != IPPROTO_UDP || tot < hlen + UDP_HLEN + 2)
		return -EINVAL;
	if (pkt_expect(in, len, nat_addr, nat_port, in, in + 6, out))
		return -EINVAL;
	/* The sum the output's checksum is the complement of. */
	pkt_put16(out + ETH_HLEN + hlen + 6, 0);
	s = csum_fold_sum(out + ETH_HLEN + hlen, tot - hlen,
			  pseudo_sum(out + ETH_HLEN, IPPROTO_UDP, tot - hlen));
	w = ip + hlen + UDP_HLEN;
	v = pkt_get16(w) + (__u16)(0xffff - s);
	pkt_put16(w, (__u16)((v & 0xffff) + (v >> 16)));
	l4_csum(ip, hlen, IPPROTO_UDP, tot - hlen);
	return 0;
}
