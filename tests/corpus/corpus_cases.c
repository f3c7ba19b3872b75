// SPDX-License-Identifier: GPL-2.0-only
/*
 * corpus_cases.c - the hostile packet corpus (see corpus.h).
 *
 * Every kind of hostile mirror frame has cases here: truncations, VXLAN
 * flags and VNIs, outer options, fragments and lengths, inner options,
 * header lengths, total lengths, fragments, TTL and checksums, non-IPv4
 * inner frames, VLAN tags, UDP checksum 0, TCP options and jumbo frames,
 * and inner IPv6 (extension headers, fragments, zero UDP checksums, payload
 * lengths, jumbo frames);
 * the truncation sweeps cut frames at every length, which covers every
 * header boundary and every random offset of those shapes, outer and inner.
 */
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "corpus.h"
#include "harness.h"

#define TCP  IPPROTO_TCP
#define ICMP IPPROTO_ICMP

const char corpus_rules[] =
	HX_RULES_INGRESS_GENEVE("1, 7")
	"set exporters {\n"
	HX_RULES_EXAMPLE_ORG
	"}\n"
	HX_RULES_DNS_SSH
	"forward nested udp from @exporters to port 4789 dnat 172.30.82.96\n"
	"forward unicast udp from @exporters to 10.0.0.0/8 port 7000 "
	"dnat 172.30.82.96\n"
	"set exporters6 { 2001:db8:1::/64 }\n"
	"forward dns6 udp from @exporters6 to port 31765 dnat fd00:82::5 port 8081\n"
	"forward ssh6 tcp from @exporters6 to port 22 dnat fd00:82::5 port 2222\n"
	/* fan-out, the second target without a next hop: one record, the first's */
	"forward fan udp from @exporters to port 2055 dnat 172.30.82.95 port 2055,"
	" 172.30.82.97 port 2056\n";

const char *const corpus_nexthops[] = {"172.30.82.95", "172.30.82.96", "fd00:82::5", NULL};

/* ---- bytes the builder has no knob for ---------------------------------- */

/* The inner IPv4 header of an untagged inner frame. */
static __u8 *inner_ip(struct pkt *p)
{
	return p->buf + p->inner_off + ETH_HLEN;
}

int corpus_fix_csums(struct pkt *p)
{
	__u8 *ip = inner_ip(p), *l4;
	size_t hlen = (ip[0] & 0xf) * 4, tot = pkt_get16(ip + 2), off;
	__u32 sum;
	__u16 c;

	if (hlen < 20 || tot < hlen + 8 || p->inner_off + ETH_HLEN + tot > sizeof(p->buf))
		return -EINVAL;
	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, (__u16)~csum_fold_sum(ip, hlen, 0));
	l4 = ip + hlen;
	off = ip[9] == IPPROTO_TCP ? 16 : 6;
	if (ip[9] != IPPROTO_TCP && ip[9] != IPPROTO_UDP)
		return 0;
	if (ip[9] == IPPROTO_UDP && !pkt_get16(l4 + 6))
		return 0;
	sum = pkt_get16(ip + 12) + pkt_get16(ip + 14) + pkt_get16(ip + 16) + pkt_get16(ip + 18);
	sum += ip[9] + (__u32)(tot - hlen);
	pkt_put16(l4 + off, 0);
	c = (__u16)~csum_fold_sum(l4, tot - hlen, sum);
	if (ip[9] == IPPROTO_UDP && !c)
		c = 0xffff;
	pkt_put16(l4 + off, c);
	return 0;
}

/* IHL 0, which the builder's knob cannot write (0 means "as built"). */
static int fix_ihl0(struct pkt *p)
{
	inner_ip(p)[0] = 0x40;
	return 0;
}

/* Total length 0, checksum valid. */
static int fix_tot_len0(struct pkt *p)
{
	__u8 *ip = inner_ip(p);

	pkt_put16(ip + 2, 0);
	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, (__u16)~csum_fold_sum(ip, 20, 0));
	return 0;
}

/* TTL 0: a mirror copy is not routed, so it is forwarded with TTL 0 kept. */
static int fix_ttl0(struct pkt *p)
{
	inner_ip(p)[8] = 0;
	return corpus_fix_csums(p);
}

static int fix_mcast_mac(struct pkt *p)
{
	static const __u8 mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

	memcpy(p->buf + p->inner_off, mac, sizeof(mac));
	return 0;
}

static int fix_bcast_mac(struct pkt *p)
{
	memset(p->buf + p->inner_off, 0xff, 6);
	return 0;
}

/* A whole VXLAN frame (VNI 1, Ethernet, IPv4) inside the inner UDP payload. */
static int fix_nested_vxlan(struct pkt *p)
{
	__u8 *ip = inner_ip(p), *pl = ip + (ip[0] & 0xf) * 4 + 8;

	if (pkt_get16(ip + 2) < (ip[0] & 0xf) * 4 + 8 + 8 + ETH_HLEN + 20)
		return -EINVAL;
	memset(pl, 0, 8 + ETH_HLEN + 20);
	pl[0] = 0x08;
	pl[6] = 1;
	memset(pl + 8, 0x02, 12);
	pkt_put16(pl + 8 + 12, ETH_P_IP);
	pl[8 + ETH_HLEN] = 0x45;
	return corpus_fix_csums(p);
}

/* The UDP length claims more than the IPv4 packet holds. */
static int fix_udp_len_long(struct pkt *p)
{
	__u8 *ip = inner_ip(p), *udp = ip + (ip[0] & 0xf) * 4;

	pkt_put16(udp + 4, pkt_get16(udp + 4) + 10);
	return corpus_fix_csums(p);
}

/* The UDP length is below the UDP header. */
static int fix_udp_len_short(struct pkt *p)
{
	__u8 *ip = inner_ip(p), *udp = ip + (ip[0] & 0xf) * 4;

	pkt_put16(udp + 4, 4);
	return corpus_fix_csums(p);
}

/* Only the last VXLAN reserved byte (after the VNI) is set. */
static int fix_vxlan_rsvd_last(struct pkt *p)
{
	p->buf[p->inner_off - 1] = 0x01;
	return 0;
}

/* Outer IPv4 header checksum wrong: the inner packet has its own. */
static int fix_outer_bad_csum(struct pkt *p)
{
	p->buf[ETH_HLEN + 10] ^= 0x5a;
	return 0;
}

/* Outer UDP checksum set and wrong: VXLAN senders may leave it 0. */
static int fix_outer_udp_csum(struct pkt *p)
{
	__u8 *udp = p->buf + ETH_HLEN + (p->buf[ETH_HLEN] & 0xf) * 4;

	pkt_put16(udp + 6, 0xdead);
	return 0;
}

/* Outer UDP length 0, which the builder's knob cannot write. */
static int fix_outer_udp_len0(struct pkt *p)
{
	__u8 *udp = p->buf + ETH_HLEN + (p->buf[ETH_HLEN] & 0xf) * 4;

	pkt_put16(udp + 4, 0);
	return 0;
}

/* Outer IPv4 total length 0 (as TSO leaves it), checksum valid. */
static int fix_outer_tot_len0(struct pkt *p)
{
	__u8 *ip = p->buf + ETH_HLEN;

	pkt_put16(ip + 2, 0);
	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, (__u16)~csum_fold_sum(ip, (ip[0] & 0xf) * 4, 0));
	return 0;
}

/* Ethernet padding that is not zeros after a correct outer total length. */
static int fix_outer_padding_garbage(struct pkt *p)
{
	size_t i, end = ETH_HLEN + pkt_get16(p->buf + ETH_HLEN + 2);

	for (i = end; i < p->len; i++)
		p->buf[i] = (__u8)(0xa5 ^ i);
	return 0;
}

/* ---- the table ------------------------------------------------------------ */

#define FWD(r, a, pt) .want = VXFWD_C_FORWARD, .rule = r, .nat = a, .nat_port = pt
#define DNS	      FWD("dns", "172.30.82.95", 8081)
#define SSH	      FWD("ssh", "172.30.82.95", 2222)
#define INNER_MIN     42 /* 14 + 20 + 8 */
#define DNS6	      FWD("dns6", "fd00:82::5", 8081)
#define SSH6	      FWD("ssh6", "fd00:82::5", 2222)
#define INNER6_MIN    62 /* 14 + 40 + 8 */
#define HBH	      0
#define RTG	      43
#define FRG	      44
#define DST	      60
#define OUTER_LEN     .want = VXFWD_C_DROP_OUTER_LEN
/* Outer UDP length and IPv4 total length of a frame with `pl` payload bytes. */
#define O_UDP(pl) (8 + 8 + INNER_MIN + (pl))
#define O_TOT(pl) (20 + O_UDP(pl))

const struct corpus_case corpus_cases[] = {
	/* VXLAN header */
	{"vxlan-no-i-flag", {.vx_flags_xor = 0x08}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-gbp-flag", {.vx_flags_xor = 0x80}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-all-flags", {.vx_flags_xor = 0xf7}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-reserved-bits", {.vx_rsvd = 0x80}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-reserved-last-byte", {}, fix_vxlan_rsvd_last, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-other-vni", {.vni = 2}, .want = VXFWD_C_DROP_VNI},
	{"vxlan-vni-max", {.vni = 0xffffff}, .want = VXFWD_C_DROP_VNI},
	{"vxlan-second-vni", {.vni = 7, .payload = 8}, DNS},
	{"vxlan-second-port", {.o_dport = 8472, .payload = 8}, DNS},
	{"nested-vxlan-no-rule",
	 {.dport = 4790, .payload = 64},
	 fix_nested_vxlan,
	 .want = VXFWD_C_DROP_NO_RULE},
	{"nested-vxlan-decapsulated-once",
	 {.dport = 4789, .payload = 64},
	 fix_nested_vxlan,
	 FWD("nested", "172.30.82.96", 0)},

	/* fan-out: the copy of the target with a next hop */
	{"fanout-one-target-with-nexthop", {.dport = 2055, .payload = 40},
	 FWD("fan", "172.30.82.95", 2055)},
	{"fanout-jumbo-one-target-with-nexthop", {.dport = 2055, .payload = 8972},
	 FWD("fan", "172.30.82.95", 2055)},

	/* outer IPv4 */
	{"outer-ipv4-options-4", {.o_opts = 4, .payload = 8}, DNS},
	{"outer-ipv4-options-40", {.o_opts = 40, .payload = 8}, DNS},
	{"outer-ipv4-bad-csum", {.payload = 8}, fix_outer_bad_csum, DNS},
	{"outer-udp-bad-csum", {.payload = 8}, fix_outer_udp_csum, DNS},
	{"outer-first-fragment", {.o_frag = 0x2000}, .want = VXFWD_C_DROP_OUTER_FRAG},
	{"outer-first-fragment-options",
	 {.o_frag = 0x2000, .o_opts = 12},
	 .want = VXFWD_C_DROP_OUTER_FRAG},
	/* A non-first fragment has no UDP header: not recognisable as mirror. */
	{"outer-non-first-fragment", {.o_frag = 0x0010}, .want = VXFWD_C_PASS},
	{"outer-last-fragment", {.o_frag = 0x0400}, .want = VXFWD_C_PASS},
	{"outer-ihl-below-5", {.o_ihl = 3}, .want = VXFWD_C_PASS},
	{"outer-version-6-in-ipv4", {.o_ver = 6}, .want = VXFWD_C_PASS},
	{"outer-vlan-tagged", {.o_vlan = 42}, .want = VXFWD_C_PASS},

	/* outer lengths: the UDP length must be the IPv4 payload's */
	{"outer-udp-len-9-full-frame", {.payload = 32, .o_udp_len = 9}, OUTER_LEN},
	{"outer-udp-len-0", {.payload = 8}, fix_outer_udp_len0, OUTER_LEN},
	{"outer-udp-len-below-header", {.o_udp_len = 7}, OUTER_LEN},
	{"outer-udp-len-header-only", {.o_udp_len = 8}, OUTER_LEN},
	{"outer-udp-len-in-vxlan-header", {.o_udp_len = 8 + 7}, OUTER_LEN},
	{"outer-udp-len-vxlan-header-only", {.o_udp_len = 8 + 8}, OUTER_LEN},
	{"outer-udp-len-in-inner-eth", {.o_udp_len = 8 + 8 + 13}, OUTER_LEN},
	{"outer-udp-len-in-inner-ip", {.o_udp_len = 8 + 8 + 14 + 19}, OUTER_LEN},
	{"outer-udp-len-in-inner-payload", {.payload = 30, .o_udp_len = O_UDP(15)}, OUTER_LEN},
	{"outer-udp-len-one-short", {.payload = 30, .o_udp_len = O_UDP(30) - 1}, OUTER_LEN},
	{"outer-udp-len-one-beyond-frame", {.payload = 30, .o_udp_len = O_UDP(30) + 1}, OUTER_LEN},
	{"outer-udp-len-into-ethernet-padding",
	 {.payload = 30, .o_pad = 20, .o_udp_len = O_UDP(30) + 20},
	 OUTER_LEN},
	{"outer-udp-len-65535", {.payload = 30, .o_udp_len = 65535}, OUTER_LEN},
	{"outer-udp-len-short-of-mirror-padding",
	 {.payload = 30, .pad = 10, .o_udp_len = O_UDP(30)},
	 OUTER_LEN},
	{"outer-udp-len-jumbo-short",
	 {.payload = 9000 - 28, .o_udp_len = O_UDP(9000 - 28) - 100},
	 OUTER_LEN},

	/* outer lengths: the IPv4 total length */
	{"outer-tot-len-0", {.payload = 8}, fix_outer_tot_len0, OUTER_LEN},
	{"outer-tot-len-below-ihl", {.o_tot_len = 19}, OUTER_LEN},
	{"outer-tot-len-in-udp-header", {.o_tot_len = 20 + 7}, OUTER_LEN},
	{"outer-tot-len-in-vxlan-header", {.o_tot_len = 20 + 8 + 7, .o_udp_len = 8 + 7}, OUTER_LEN},
	{"outer-tot-len-in-vxlan-header-udp-full", {.o_tot_len = 20 + 8 + 7}, OUTER_LEN},
	{"outer-tot-len-in-vxlan-header-options",
	 {.o_opts = 40, .o_tot_len = 60 + 8 + 4, .o_udp_len = 8 + 4},
	 OUTER_LEN},
	{"outer-tot-len-in-inner-eth",
	 {.o_tot_len = 20 + 16 + 13, .o_udp_len = 16 + 13},
	 OUTER_LEN},
	{"outer-tot-len-in-inner-ip",
	 {.o_tot_len = 20 + 16 + 14 + 19, .o_udp_len = 16 + 14 + 19},
	 OUTER_LEN},
	{"outer-tot-len-in-inner-ip-options",
	 {.i_opts = 40, .payload = 8, .o_tot_len = 20 + 16 + 14 + 59, .o_udp_len = 16 + 14 + 59},
	 OUTER_LEN},
	{"outer-tot-len-in-inner-udp",
	 {.payload = 30, .o_tot_len = 20 + 16 + 14 + 20 + 4, .o_udp_len = 16 + 14 + 20 + 4},
	 OUTER_LEN},
	{"outer-tot-len-one-short-of-inner",
	 {.payload = 30, .o_tot_len = O_TOT(30) - 1, .o_udp_len = O_UDP(30) - 1},
	 OUTER_LEN},
	{"outer-tot-len-one-short-of-inner-tcp",
	 {.i_proto = TCP, .dport = 22, .payload = 30, .o_tot_len = O_TOT(42) - 1,
	  .o_udp_len = O_UDP(42) - 1},
	 OUTER_LEN},
	{"outer-tot-len-one-beyond-frame",
	 {.payload = 30, .o_tot_len = O_TOT(30) + 1, .o_udp_len = O_UDP(30) + 1},
	 OUTER_LEN},
	{"outer-tot-len-one-beyond-frame-udp-right", {.payload = 30, .o_tot_len = O_TOT(30) + 1}, OUTER_LEN},
	{"outer-tot-len-65535", {.payload = 30, .o_tot_len = 65535}, OUTER_LEN},
	{"outer-tot-len-jumbo-beyond-frame",
	 {.payload = 9000 - 28, .o_tot_len = O_TOT(9000 - 28) + 1000,
	  .o_udp_len = O_UDP(9000 - 28) + 1000},
	 OUTER_LEN},
	{"outer-bytes-lost-in-vxlan", {.lost = INNER_MIN + 5}, OUTER_LEN},
	{"outer-bytes-lost-in-inner", {.payload = 30, .lost = 20}, OUTER_LEN},
	{"outer-bytes-lost-one", {.payload = 30, .lost = 1}, OUTER_LEN},
	/* The VXLAN header and the inner frame are not looked at first. */
	{"outer-udp-len-9-bad-vxlan-flags", {.vx_flags_xor = 0x08, .o_udp_len = 9}, OUTER_LEN},
	{"outer-udp-len-9-other-vni", {.vni = 2, .o_udp_len = 9}, OUTER_LEN},
	{"outer-udp-len-9-src-not-allowed", {.src = "8.8.8.8", .o_udp_len = 9}, OUTER_LEN},
	/* Fragments: a first fragment's UDP length is the whole datagram's. */
	{"outer-first-fragment-udp-len",
	 {.o_frag = 0x2000, .payload = 30, .o_udp_len = 3000},
	 .want = VXFWD_C_DROP_OUTER_FRAG},
	/* Padding after a correct total length: accepted, not forwarded. */
	{"outer-ethernet-padding", {.payload = 8, .o_pad = 20}, DNS},
	{"outer-ethernet-padding-1", {.payload = 8, .o_pad = 1}, DNS},
	{"outer-ethernet-padding-garbage", {.payload = 8, .o_pad = 40}, fix_outer_padding_garbage, DNS},
	{"outer-ethernet-and-mirror-padding", {.payload = 8, .pad = 12, .o_pad = 12}, DNS},
	{"outer-ethernet-padding-options", {.o_opts = 40, .payload = 8, .o_pad = 7}, DNS},
	{"outer-ethernet-padding-tcp",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 8, .payload = 20, .o_pad = 30},
	 SSH},
	{"outer-ethernet-padding-jumbo", {.payload = 9000 - 28, .o_pad = 100}, DNS},
	/*
	 * The mirror truncated the inner packet: drop_inner_truncated, unless
	 * the frame holds the rest of it after the datagram, which then counts
	 * against the outer lengths (the bytes cannot tell padding from a cut).
	 */
	{"outer-lengths-right-inner-truncated",
	 {.payload = 30, .cut = 10},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"outer-padding-short-of-truncated-inner",
	 {.payload = 30, .cut = 10, .o_pad = 9},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"outer-padding-holds-truncated-inner",
	 {.payload = 30, .cut = 10, .o_pad = 10},
	 OUTER_LEN},
	/* Not mirror traffic: passed whatever its lengths say. */
	{"outer-other-port-udp-len-9", {.o_dport = 53, .o_udp_len = 9}, .want = VXFWD_C_PASS},
	{"outer-other-port-tot-len-beyond-frame",
	 {.o_dport = 53, .o_tot_len = 4000},
	 .want = VXFWD_C_PASS},
	{"outer-other-port-tot-len-in-udp", {.o_dport = 4790, .o_tot_len = 22}, .want = VXFWD_C_PASS},
	{"outer-other-port-bytes-lost", {.o_dport = 4790, .payload = 30, .lost = 30}, .want = VXFWD_C_PASS},
	{"outer-non-first-fragment-lengths",
	 {.o_frag = 0x0100, .o_tot_len = 3000, .o_udp_len = 1},
	 .want = VXFWD_C_PASS},

	/* inner IPv4 */
	{"inner-ipv4-options-4", {.i_opts = 4, .payload = 8}, DNS},
	{"inner-ipv4-options-40", {.i_opts = 40, .payload = 8}, DNS},
	{"inner-ihl-0", {}, fix_ihl0, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ihl-4", {.i_ihl = 4}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ihl-1", {.i_ihl = 1}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ihl-15-no-options", {.i_ihl = 15}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ihl-6-garbage-option", {.i_ihl = 6, .payload = 8}, .want = VXFWD_C_DROP_INNER_CSUM},
	{"inner-version-6", {.i_ver = 6}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tot-len-beyond-frame", {.i_tot_len = 200}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"inner-tot-len-65535", {.i_tot_len = 65535}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"inner-tot-len-below-ihl", {.i_tot_len = 19}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tot-len-0", {}, fix_tot_len0, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tot-len-into-udp-header",
	 {.i_tot_len = 24, .payload = 8},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tot-len-below-frame-padding", {.payload = 6, .pad = 12}, DNS},
	{"inner-tot-len-below-frame-padding-jumbo", {.payload = 8000, .pad = 1000}, DNS},
	{"inner-udp-len-beyond-ip",
	 {.payload = 30},
	 fix_udp_len_long,
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-udp-len-below-header",
	 {.payload = 30},
	 fix_udp_len_short,
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-first-fragment",
	 {.i_frag = 0x2000, .payload = 16},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-first-fragment-df",
	 {.i_frag = 0x6000, .payload = 16},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-non-first-fragment",
	 {.i_frag = 0x0100, .payload = 16},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-last-fragment", {.i_frag = 0x1fff, .payload = 16}, .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-df-only", {.i_frag = 0x4000, .payload = 16}, DNS},
	{"inner-ttl-0", {.payload = 16}, fix_ttl0, DNS},
	{"inner-bad-csum", {.i_bad_csum = 1}, .want = VXFWD_C_DROP_INNER_CSUM},
	{"inner-bad-csum-options", {.i_bad_csum = 1, .i_opts = 8}, .want = VXFWD_C_DROP_INNER_CSUM},
	{"inner-icmp", {.i_proto = ICMP, .payload = 8}, .want = VXFWD_C_DROP_INNER_PROTO},

	/* inner not IPv4 */
	{"inner-ipv6-ethertype-ipv4-header",
	 {.i_ethertype = ETH_P_IPV6},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-arp", {.i_ethertype = ETH_P_ARP}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-8023-length", {.i_ethertype = 0x0050}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-8021q", {.i_vlan = 100}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-qinq", {.i_qinq = 10, .i_vlan = 100}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-8021q-ipv6",
	 {.i_vlan = 100, .i_ethertype = ETH_P_IPV6},
	 .want = VXFWD_C_DROP_INNER_NOT_IP},

	/* inner L4 (TCP options are payload bytes the data offset covers) */
	{"udp-csum-0", {.udp_csum0 = 1, .payload = 20}, DNS},
	{"udp-csum-0-no-payload", {.udp_csum0 = 1}, DNS},
	{"tcp-options-12", {.i_proto = TCP, .dport = 22, .tcp_doff = 8, .payload = 20}, SSH},
	{"tcp-options-40", {.i_proto = TCP, .dport = 22, .tcp_doff = 15, .payload = 41}, SSH},
	{"tcp-options-40-ip-options-40",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 15, .i_opts = 40, .payload = 40},
	 SSH},
	{"tcp-doff-below-5",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 2},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"tcp-doff-beyond-packet",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 15},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"tcp-to-udp-rule-port", {.i_proto = TCP, .dport = 31765}, .want = VXFWD_C_DROP_NO_RULE},

	/* sizes */
	{"frame-60-min-ethernet", {.payload = 60 - INNER_MIN}, DNS},
	{"frame-1514", {.payload = 1500 - 28}, DNS},
	{"jumbo-9001-mtu", {.payload = 9001 - 28}, DNS},
	{"jumbo-9014-tcp", {.i_proto = TCP, .dport = 22, .payload = 9000 - 40}, SSH},
	{"jumbo-9216-largest", {.payload = VXFWD_MAX_FRAME - INNER_MIN}, DNS},
	{"jumbo-9217-too-big",
	 {.payload = VXFWD_MAX_FRAME - INNER_MIN + 1},
	 .want = VXFWD_C_DROP_TOO_BIG},

	/* destinations */
	{"inner-multicast", {.dst = "224.0.0.251", .payload = 8}, fix_mcast_mac, DNS},
	{"inner-broadcast", {.dst = "255.255.255.255", .payload = 8}, fix_bcast_mac, DNS},
	{"inner-subnet-broadcast",
	 {.dst = "10.255.255.255", .dport = 7000},
	 fix_bcast_mac,
	 FWD("unicast", "172.30.82.96", 0)},
	{"inner-multicast-unicast-rule",
	 {.dst = "239.1.1.1", .dport = 7000},
	 fix_mcast_mac,
	 .want = VXFWD_C_DROP_NO_RULE},
	{"inner-src-multicast", {.src = "224.0.0.1"}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"inner-src-zero", {.src = "0.0.0.0"}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},

	/* GENEVE from a Gateway Load Balancer endpoint around the mirror's packet */
	{"geneve-gwlb", {.g_on = 1, .payload = 8}, DNS},
	{"geneve-gwlb-tcp", {.g_on = 1, .i_proto = TCP, .dport = 22, .payload = 40}, SSH},
	{"geneve-gwlb-jumbo", {.g_on = 1, .payload = 8900}, DNS},
	{"geneve-second-vxlan-port", {.g_on = 1, .o_dport = 8472, .payload = 8}, DNS},
	{"geneve-version-2", {.g_on = 1, .g_ver = 2}, .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-oam", {.g_on = 1, .g_flags = 0xc0}, .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-optlen-max", {.g_on = 1, .g_optlen = 63}, .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-optlen-in-option", {.g_on = 1, .g_optlen = 2}, .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-short", {.g_on = 1, .g_keep = 7}, .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-proto-teb", {.g_on = 1, .g_proto = 0x6558}, .want = VXFWD_C_DROP_GENEVE_PROTO},
	{"geneve-carried-to-other-port",
	 {.g_on = 1, .o_dport = 4790},
	 .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-carried-ipv6-version", {.g_on = 1, .o_ver = 6}, .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-carried-first-fragment",
	 {.g_on = 1, .o_frag = 0x2000},
	 .want = VXFWD_C_DROP_OUTER_FRAG},
	{"geneve-carried-udp-len-9", {.g_on = 1, .o_udp_len = 9}, OUTER_LEN},
	{"geneve-outer-udp-len-9", {.g_on = 1, .g_udp_len = 9}, OUTER_LEN},
	{"geneve-outer-lost", {.g_on = 1, .payload = 30, .g_lost = 3}, OUTER_LEN},
	{"geneve-vxlan-bad-flags", {.g_on = 1, .vx_flags_xor = 0x08}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"geneve-inner-truncated",
	 {.g_on = 1, .payload = 50, .cut = 10},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},

	/* inner IPv6 */
	{"ipv6-udp", {.i6 = 1, .payload = 20}, DNS6},
	{"ipv6-tcp", {.i6 = 1, .i_proto = TCP, .dport = 22, .payload = 20}, SSH6},
	{"ipv6-hop-limit-255", {.i6 = 1, .i6_hlim = 255, .payload = 1}, DNS6},
	{"ipv6-hop-by-hop", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {HBH}}, DNS6},
	{"ipv6-dstopts", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {DST}, .i_proto = TCP, .dport = 22},
	 SSH6},
	{"ipv6-four-ext", {.i6 = 1, .i6_n_ext = 4, .i6_ext = {HBH, DST, DST, DST}}, DNS6},
	{"ipv6-five-ext",
	 {.i6 = 1, .i6_n_ext = 5, .i6_ext = {HBH, DST, DST, DST, DST}},
	 .want = VXFWD_C_DROP_INNER6_EXT},
	{"ipv6-routing", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {RTG}}, .want = VXFWD_C_DROP_INNER6_EXT},
	{"ipv6-dstopts-routing",
	 {.i6 = 1, .i6_n_ext = 2, .i6_ext = {DST, RTG}},
	 .want = VXFWD_C_DROP_INNER6_EXT},
	{"ipv6-fragment", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {FRG}}, .want = VXFWD_C_DROP_INNER_FRAG},
	{"ipv6-hop-by-hop-fragment",
	 {.i6 = 1, .i6_n_ext = 2, .i6_ext = {HBH, FRG}, .i_proto = TCP},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"ipv6-udp-zero-csum", {.i6 = 1, .udp_csum0 = 1, .payload = 20},
	 .want = VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM},
	{"ipv6-udp-zero-csum-hop-by-hop",
	 {.i6 = 1, .udp_csum0 = 1, .i6_n_ext = 1, .i6_ext = {HBH}},
	 .want = VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM},
	{"ipv6-icmpv6", {.i6 = 1, .i_proto = 58}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"ipv6-no-next-header", {.i6 = 1, .i_proto = 59}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"ipv6-version-15", {.i6 = 1, .i_ver = 0xf}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-plen-65535", {.i6 = 1, .i6_plen = 0xffff}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"ipv6-plen-short-of-udp", {.i6 = 1, .i6_plen = 7, .pad = 1},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-plen-short-of-ext", {.i6 = 1, .i6_n_ext = 2, .i6_ext = {HBH, DST}, .i6_plen = 12,
	  .pad = 12}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-padding-stripped", {.i6 = 1, .payload = 3, .pad = 40}, DNS6},
	{"ipv6-src-not-allowed", {.i6 = 1, .src = "2001:db8:2::1"},
	 .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"ipv6-src-v4-mapped", {.i6 = 1, .src = "::ffff:198.51.100.10"},
	 .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"ipv6-jumbo-9014-udp", {.i6 = 1, .payload = 9000 - 48}, DNS6},
	{"ipv6-jumbo-9014-tcp", {.i6 = 1, .i_proto = TCP, .dport = 22, .payload = 9000 - 60}, SSH6},
	{"ipv6-jumbo-9216-largest", {.i6 = 1, .payload = VXFWD_MAX_FRAME - INNER6_MIN}, DNS6},
	{"ipv6-jumbo-9217-too-big",
	 {.i6 = 1, .payload = VXFWD_MAX_FRAME - INNER6_MIN + 1},
	 .want = VXFWD_C_DROP_TOO_BIG},
};

const size_t corpus_n_cases = T_ARRAY_SIZE(corpus_cases);

/* Cut bands of an inner IPv4/UDP or TCP frame that is forwarded whole. */
#define BANDS_FWD                                                                                  \
	.band = {VXFWD_C_PASS, VXFWD_C_DROP_VXLAN_HDR, VXFWD_C_DROP_INNER_MALFORMED,               \
		 VXFWD_C_DROP_INNER_MALFORMED, VXFWD_C_DROP_INNER_TRUNCATED},                      \
	.full = VXFWD_C_FORWARD

const struct corpus_sweep corpus_sweeps[] = {
	{"udp-64", {.payload = 64 - INNER_MIN}, BANDS_FWD},
	{"udp-csum-0-padded", {.udp_csum0 = 1, .payload = 4, .pad = 14}, BANDS_FWD},
	{"tcp-all-options",
	 {.o_opts = 40, .i_opts = 40, .i_proto = TCP, .dport = 22, .tcp_doff = 15, .payload = 60},
	 BANDS_FWD},
	{"jumbo-9014", {.payload = 9000 - 28}, BANDS_FWD},
	/* Bytes lost after the outer lengths were written: they claim more. */
	{"udp-64-lost",
	 {.payload = 64 - INNER_MIN},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN,
		  VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN},
	 .full = VXFWD_C_FORWARD,
	 .lost = 1},
	{"tcp-all-options-lost",
	 {.o_opts = 40, .i_opts = 40, .i_proto = TCP, .dport = 22, .tcp_doff = 15, .payload = 60},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN,
		  VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN},
	 .full = VXFWD_C_FORWARD,
	 .lost = 1},
	{"not-allowed-source",
	 {.src = "8.8.8.8", .payload = 30},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_VXLAN_HDR, VXFWD_C_DROP_INNER_MALFORMED,
		  VXFWD_C_DROP_INNER_MALFORMED, VXFWD_C_DROP_INNER_TRUNCATED},
	 .full = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	/* inner IPv6: cuts in the fixed header are malformed, after it truncated */
	{"ipv6-udp-64", {.i6 = 1, .payload = 64 - INNER6_MIN + 10}, BANDS_FWD},
	{"ipv6-tcp-ext",
	 {.i6 = 1, .i_proto = TCP, .dport = 22, .i6_n_ext = 3, .i6_ext = {HBH, DST, DST},
	  .payload = 30},
	 BANDS_FWD},
	{"ipv6-jumbo-9014", {.i6 = 1, .payload = 9000 - 48}, BANDS_FWD},
	{"ipv6-udp-zero-csum",
	 {.i6 = 1, .udp_csum0 = 1, .payload = 12},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_VXLAN_HDR, VXFWD_C_DROP_INNER_MALFORMED,
		  VXFWD_C_DROP_INNER_MALFORMED, VXFWD_C_DROP_INNER_TRUNCATED},
	 .full = VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM},
	{"ipv6-fragment",
	 {.i6 = 1, .i6_n_ext = 1, .i6_ext = {FRG}, .payload = 12},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_VXLAN_HDR, VXFWD_C_DROP_INNER_MALFORMED,
		  VXFWD_C_DROP_INNER_MALFORMED, VXFWD_C_DROP_INNER_TRUNCATED},
	 .full = VXFWD_C_DROP_INNER_FRAG},
	{"ipv6-udp-lost",
	 {.i6 = 1, .payload = 20},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN,
		  VXFWD_C_DROP_OUTER_LEN, VXFWD_C_DROP_OUTER_LEN},
	 .full = VXFWD_C_FORWARD,
	 .lost = 1},
	{"inner-arp",
	 {.i_ethertype = ETH_P_ARP, .payload = 8},
	 .band = {VXFWD_C_PASS, VXFWD_C_DROP_VXLAN_HDR, VXFWD_C_DROP_INNER_MALFORMED,
		  VXFWD_C_DROP_INNER_NOT_IP, VXFWD_C_DROP_INNER_NOT_IP},
	 .full = VXFWD_C_DROP_INNER_NOT_IP},
};

const size_t corpus_n_sweeps = T_ARRAY_SIZE(corpus_sweeps);

const struct corpus_len_sweep corpus_len_sweeps[] = {
	{"udp-64-padded", {.payload = 64 - INNER_MIN, .pad = 6, .o_pad = 20}, CL_TOT_UDP,
	 VXFWD_C_FORWARD},
	{"udp-64-padded-tot", {.payload = 64 - INNER_MIN, .pad = 6, .o_pad = 20}, CL_TOT,
	 VXFWD_C_FORWARD},
	{"udp-64-padded-udp", {.payload = 64 - INNER_MIN, .pad = 6, .o_pad = 20}, CL_UDP,
	 VXFWD_C_FORWARD},
	{"tcp-options-padded",
	 {.o_opts = 12, .i_opts = 8, .i_proto = TCP, .dport = 22, .tcp_doff = 8, .payload = 20,
	  .o_pad = 10},
	 CL_TOT_UDP, VXFWD_C_FORWARD},
	{"not-allowed-source", {.src = "8.8.8.8", .payload = 30}, CL_TOT_UDP,
	 VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"udp-200-padded-udp", {.payload = 200, .o_pad = 3}, CL_UDP, VXFWD_C_FORWARD},
};

const size_t corpus_n_len_sweeps = T_ARRAY_SIZE(corpus_len_sweeps);

int corpus_build(const struct corpus_case *c, struct pkt *p)
{
	int ret = pkt_build(&c->p, p);

	if (ret < 0)
		return ret;
	return c->fix ? c->fix(p) : 0;
}

int corpus_bounds(const struct pkt_spec *s, size_t bound[CB_MAX])
{
	static struct pkt p;
	const __u8 *ip;
	int ret;

	ret = pkt_build(s, &p);
	if (ret < 0)
		return ret;
	if (s->o_vlan || s->i_vlan || s->i_qinq)
		return -EINVAL;
	ip = p.buf + p.inner_off + ETH_HLEN;
	bound[CB_OUTER_UDP_END] = ETH_HLEN + 20 + s->o_opts + 8;
	bound[CB_VXLAN_END] = p.inner_off;
	bound[CB_INNER_ETH_END] = p.inner_off + ETH_HLEN;
	bound[CB_INNER_IP_END] = p.inner_off + ETH_HLEN + (s->i6 ? 40 : (ip[0] & 0xf) * 4);
	bound[CB_FRAME_END] = p.inner_off + p.inner_len;
	return 0;
}

struct pkt_spec corpus_sweep_spec(const struct corpus_sweep *s, size_t full, size_t len)
{
	struct pkt_spec spec = s->p;

	if (s->lost)
		spec.lost = (__u16)(s->p.lost + full - len);
	else
		spec.cut = (__u16)(s->p.cut + full - len);
	return spec;
}

unsigned int corpus_len_max(size_t full)
{
	return (unsigned int)(full - ETH_HLEN + 64);
}

/* The verdict of value v: the rule of the XDP program, restated. */
static enum vxfwd_counter len_want(const struct corpus_len_sweep *s, const struct pkt *whole,
				   unsigned int v)
{
	size_t ihl = 20 + s->p.o_opts, tot = whole->len - s->p.o_pad - ETH_HLEN;
	size_t inner_end = whole->inner_off + whole->inner_len;
	int ok;

	switch (s->field) {
	case CL_TOT_UDP:
		ok = v >= ihl + 8 && ETH_HLEN + v <= whole->len && ETH_HLEN + v >= inner_end;
		break;
	case CL_TOT:
		ok = v == tot;
		break;
	default:
		ok = v == tot - ihl;
		break;
	}
	return ok ? s->ok : VXFWD_C_DROP_OUTER_LEN;
}

int corpus_len_build(const struct corpus_len_sweep *s, unsigned int v, struct pkt *p,
		     enum vxfwd_counter *want)
{
	static struct pkt whole;
	struct pkt_spec spec = s->p;
	size_t ihl = 20 + s->p.o_opts;
	int ret;

	if (!v || v > 65535)
		return -EINVAL;
	ret = pkt_build(&s->p, &whole);
	if (ret < 0)
		return ret;
	if (s->field != CL_UDP)
		spec.o_tot_len = (__u16)v;
	if (s->field == CL_UDP)
		spec.o_udp_len = (__u16)v;
	else if (s->field == CL_TOT_UDP && v > ihl)
		spec.o_udp_len = (__u16)(v - ihl);
	else if (s->field == CL_TOT_UDP)
		spec.o_udp_len = 1;
	ret = pkt_build(&spec, p);
	if (ret < 0)
		return ret;
	*want = len_want(s, &whole, v);
	return 0;
}
