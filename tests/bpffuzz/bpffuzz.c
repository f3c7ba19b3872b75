// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpffuzz.c - random and mutated frames through the XDP program
 * (BPF_PROG_TEST_RUN), with invariants checked on every frame.
 *
 * Seeds: the hostile corpus (tests/corpus) and every frame of the captures
 * in $VXFWD_PCAP_DIR.  Each iteration takes a seed, or random bytes, or a
 * valid outer header followed by random bytes, applies a few mutations
 * (bit flips, interesting values at header fields, truncation, extension,
 * insertion, deletion, splicing, outer lengths near the frame's end, the
 * inner frame's end or the headers) and often repairs the outer lengths and
 * the inner checksums so that the frame gets past them.  Invariants:
 *
 *   1. non-mirror frames (anything but outer IPv4/UDP, unfragmented or
 *      first fragment, to a configured VXLAN or GENEVE port) return XDP_PASS and leave
 *      the program byte for byte as they came; mirror frames return XDP_DROP;
 *   2. a ring record only for a mirror frame; each is a well-formed frame:
 *      its length fits the record, Ethernet + IPv4 + UDP/TCP, IPv4 total
 *      length == len - 14, the UDP length or TCP header within the IPv4
 *      payload, header checksum verifies, L4 checksum verifies
 *      whenever the input's inner L4 checksum did (a UDP checksum of 0 stays
 *      0), MACs are the egress and next-hop ones, destination and port are
 *      the DNAT target of the rule the record names (a fan-out rule: one
 *      record per target with a next hop, in target order, each with its
 *      target's address and port), and every other byte is
 *      the input's; it lies inside the outer UDP payload as both outer
 *      lengths declare it: the outer IPv4 total length within the frame, the
 *      UDP length equal to the IPv4 payload length, the record's frame
 *      within both; from a GENEVE frame, the same of the IPv4/UDP datagram
 *      it carries within the outer datagram, the record after its VXLAN
 *      header;
 *   3. counters, every batch: RX == PASS + FORWARD + sum(DROP_*) in packets
 *      and bytes, RX == frames run, PASS == XDP_PASS verdicts, FORWARD ==
 *      frames that left records, and records read == FORWARD + the copies
 *      beyond each frame's first (VXFWD_TARGET_CNT_EXTRA).
 *
 * usage: bpffuzz [-v] [--iterations N] [--seconds S] [--seed X]
 * Failing frames are written to $VXFWD_TEST_OUTDIR/bpffuzz-fail.pcap.
 * Exit 0 pass, 1 fail, 2 usage, 77 skip.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <bpf/libbpf.h>

#include "corpus.h"
#include "harness.h"
#include "pcap.h"
#include "vxfwd.skel.h"
#include "vxfwd_dsl.h"

#define FRAME_MAX   (VXFWD_MAX_FRAME + 200)
#define SEEDS_MAX   4096
#define BATCH	    4096
#define FAILS_SAVED 32
#define GENEVE_PORT 6081

static const char fuzz_rules[] =
	HX_RULES_INGRESS_GENEVE("1, 7, 37, 100, 5569041")
	"set exporters {\n"
	HX_RULES_EXAMPLE_ORG
	"}\n"
	HX_RULES_DNS_SSH
	"forward lowudp udp from any to port 1-30000 dnat 172.30.82.96\n"
	"forward nonh udp from any to port 40000-50000 dnat 172.30.82.99 port 9\n"
	"forward anytcp tcp from any to port 1-65535 dnat 172.30.82.97 port 80\n"
	"set exporters6 { 2001:db8:1::/64 }\n"
	"forward dns6 udp from @exporters6 to port 31765 dnat fd00:82::5 port 8081\n"
	"forward lowudp6 udp from any to port 1-30000 dnat fd00:82::6\n"
	"forward nonh6 udp from any to port 40000-50000 dnat fd00:82::99 port 9\n"
	"forward anytcp6 tcp from any to port 1-65535 dnat fd00:82::7 port 80\n"
	"forward fan udp from any to port 30001-39999 dnat 172.30.82.95 port 7, 172.30.82.96,"
	" 172.30.82.99 port 9, 172.30.82.97 port 11\n"
	"forward fan6 udp from any to port 30001-39999 dnat fd00:82::5, fd00:82::99 port 3,"
	" fd00:82::6 port 4\n";

static const char *const fuzz_nexthops[] = {"172.30.82.95", "172.30.82.96", "172.30.82.97",
					    "fd00:82::5",   "fd00:82::6",   "fd00:82::7",
					    NULL};

static const __u16 fuzz_ports[] = {4789, 8472, GENEVE_PORT};

struct seed {
	__u8 *data;
	size_t len;
};

struct fuzz {
	struct hx h;
	__u64 rng;
	struct seed seeds[SEEDS_MAX];
	size_t n_seeds;
	/* the frame being run */
	__u8 f[FRAME_MAX];
	size_t len;
	/* batch accounting */
	__u64 runs, bytes, passes, records, fwd_frames;
	__u64 extra; /* VXFWD_TARGET_CNT_EXTRA's queued at the batch's start */
	struct vxfwd_count base[VXFWD_C_MAX];
	/* totals */
	__u64 frames, total_runs, mirror, forwarded;
	__u64 geneve, geneve_fwd; /* GENEVE frames run, records taken from them */
	__u64 fanout_recs;	  /* records of frames with several copies */
	unsigned int failed;
	struct pcap_frame saved[FAILS_SAVED];
	size_t n_saved;
	int verbose;
};

/* ---- random numbers (xorshift64*) ---------------------------------------- */

static __u64 rnd(struct fuzz *z)
{
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return z->rng * 0x2545f4914f6cdd1dull;
}

static size_t below(struct fuzz *z, size_t n)
{
	return n ? (size_t)(rnd(z) % n) : 0;
}

/* ---- failures --------------------------------------------------------------- */

static void fail(struct fuzz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct fuzz *z, const char *fmt, ...)
{
	va_list ap;

	z->failed++;
	if (z->failed > 50)
		return;
	fprintf(stderr, "FAIL frame %llu (%zu bytes): ", (unsigned long long)z->frames, z->len);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (z->n_saved < FAILS_SAVED) {
		z->saved[z->n_saved].data = malloc(z->len);
		if (z->saved[z->n_saved].data) {
			memcpy((__u8 *)z->saved[z->n_saved].data, z->f, z->len);
			z->saved[z->n_saved++].len = z->len;
		}
	}
}

/* ---- seeds ------------------------------------------------------------------ */

static int add_seed(struct fuzz *z, const __u8 *data, size_t len)
{
	struct seed *s;

	if (z->n_seeds == SEEDS_MAX || len < ETH_HLEN || len > FRAME_MAX)
		return 0;
	s = &z->seeds[z->n_seeds];
	s->data = malloc(len);
	if (!s->data)
		return -ENOMEM;
	memcpy(s->data, data, len);
	s->len = len;
	z->n_seeds++;
	return 0;
}

static int seed_corpus(struct fuzz *z)
{
	static struct pkt p;
	size_t i;
	int ret;

	for (i = 0; i < corpus_n_cases; i++) {
		if (corpus_build(&corpus_cases[i], &p))
			continue;
		ret = add_seed(z, p.buf, p.len);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < corpus_n_sweeps; i++) {
		if (pkt_build(&corpus_sweeps[i].p, &p))
			continue;
		ret = add_seed(z, p.buf, p.len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int seed_frame(void *ctx, const __u8 *f, size_t len)
{
	return add_seed(ctx, f, len);
}

/* Every frame of every capture in the directory; none is not an error. */
static int seed_pcaps(struct fuzz *z)
{
	static __u8 buf[65536];
	struct dirent **ents = NULL;
	const char *dir;
	char path[4096];
	unsigned int frames;
	int i, n, ret = 0;

	n = pcap_dir_list(&dir, &ents);
	if (n <= 0) {
		printf("# no captures in %s: corpus seeds only\n", dir);
		free(ents);
		return 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!ret)
			ret = pcap_each(path, buf, sizeof(buf), seed_frame, z, &frames);
		if (ret < 0)
			fprintf(stderr, "bpffuzz: %s: %s\n", path, strerror(-ret));
		free(ents[i]);
	}
	free(ents);
	return ret;
}

/* ---- the reference model: is it mirror traffic? ------------------------------ */

/* Offset of the outer UDP header of a mirror frame, 0 when it is not one. */
static size_t mirror_udp(const __u8 *f, size_t len)
{
	size_t ihl, i;

	if (len < ETH_HLEN + 20 || pkt_get16(f + 12) != ETH_P_IP)
		return 0;
	ihl = (f[ETH_HLEN] & 0xf) * 4;
	if (f[ETH_HLEN] >> 4 != 4 || ihl < 20 || ETH_HLEN + ihl + 8 > len)
		return 0;
	if (f[ETH_HLEN + 9] != IPPROTO_UDP || (pkt_get16(f + ETH_HLEN + 6) & 0x1fff))
		return 0;
	for (i = 0; i < T_ARRAY_SIZE(fuzz_ports); i++)
		if (pkt_get16(f + ETH_HLEN + ihl + 2) == fuzz_ports[i])
			return ETH_HLEN + ihl;
	return 0;
}

/* A mirror frame whose outer UDP header at `udp` goes to the GENEVE port. */
static int is_geneve(const __u8 *f, size_t udp)
{
	return pkt_get16(f + udp + 2) == GENEVE_PORT;
}

/*
 * The IPv4 header a GENEVE frame carries (after the GENEVE header and its
 * options), 0 when the frame is too short to hold it.
 */
static size_t geneve_carried(const __u8 *f, size_t len, size_t udp)
{
	size_t ip = udp + 8 + 8 + (f[udp + 8] & 0x3f) * 4;

	return udp + 16 <= len && ip + 20 <= len ? ip : 0;
}

/*
 * The UDP header whose VXLAN header is followed by the inner frame: the
 * outer one, or the carried one of a GENEVE frame; 0 when there is none.
 */
static size_t vxlan_udp(const __u8 *f, size_t len, size_t udp)
{
	size_t ip;

	if (!udp || !is_geneve(f, udp))
		return udp;
	ip = geneve_carried(f, len, udp);
	if (!ip || ip + (f[ip] & 0xf) * 4 + 8 > len)
		return 0;
	return ip + (f[ip] & 0xf) * 4;
}

/* ---- mutations ---------------------------------------------------------------- */

static const __u8 interesting[] = {0x00, 0x01, 0x04, 0x05, 0x06, 0x08, 0x0f, 0x11, 0x20,
				   0x40, 0x45, 0x46, 0x4f, 0x7f, 0x80, 0x86, 0xdd, 0xff};

/* Offsets of header fields in the corpus' layout (no outer options). */
static const size_t fields[] = {
	12, 14, 16, 20, 22, 23,	    /* outer ethertype, IHL, tot_len, frag, TTL, proto */
	36, 38, 40,		    /* outer UDP ports and length */
	42, 43, 46, 49,		    /* VXLAN flags, reserved, VNI, reserved */
	62, 64, 66, 70, 72, 73, 74, /* inner ethertype, IHL, tot_len, frag, TTL, proto, csum */
	84, 86, 88, 90, 96, 98,	    /* inner L4 ports, UDP len/csum, TCP doff */
	44, 45, 52, 53, 64, 65, 77, /* GENEVE protocol, the GWLB options' types and lengths */
	84, 88, 91, 104, 106,	    /* GENEVE: carried tot_len, frag, proto, UDP port, length */
};

/* The end of the inner frame its IPv4 total length declares, or the frame's. */
static size_t inner_end(const struct fuzz *z, size_t udp)
{
	size_t ip = vxlan_udp(z->f, z->len, udp) + 8 + 8 + ETH_HLEN;

	return ip + 4 <= z->len ? ip + pkt_get16(z->f + ip + 2) : z->len;
}

/* Outer lengths near the frame's end, the inner frame's end, the headers, or anything. */
static void mutate_outer_len(struct fuzz *z)
{
	size_t udp = mirror_udp(z->f, z->len), ihl, end, which;

	if (!udp)
		return;
	ihl = udp - ETH_HLEN;
	switch (below(z, 4)) {
	case 0:
		end = z->len;
		break;
	case 1:
		end = inner_end(z, udp);
		break;
	case 2:
		end = udp + below(z, 40);
		break;
	default:
		end = ETH_HLEN + (size_t)(rnd(z) & 0xffff);
		break;
	}
	end = end + below(z, 5) - below(z, 5);
	if (end < ETH_HLEN)
		end = ETH_HLEN;
	which = below(z, 3); /* 0: both, 1: the IPv4 total length, 2: the UDP length */
	if (which != 2)
		pkt_put16(z->f + ETH_HLEN + 2, (__u16)(end - ETH_HLEN));
	if (which != 1)
		pkt_put16(z->f + udp + 4, (__u16)(end - ETH_HLEN - ihl));
}

/*
 * The lengths of the IPv4/UDP datagram a GENEVE frame carries, written to
 * end where the outer datagram ends.
 */
static void repair_carried(struct fuzz *z, size_t udp)
{
	size_t ip = geneve_carried(z->f, z->len, udp), end, hlen;

	if (!ip)
		return;
	end = udp + pkt_get16(z->f + udp + 4);
	hlen = (z->f[ip] & 0xf) * 4;
	if (end > z->len || end < ip + hlen + 8 || ip + hlen + 8 > z->len)
		return;
	pkt_put16(z->f + ip + 2, (__u16)(end - ip));
	pkt_put16(z->f + ip + hlen + 4, (__u16)(end - ip - hlen));
}

/* Outer lengths that agree with the frame, sometimes leaving Ethernet padding. */
static void repair_outer(struct fuzz *z)
{
	size_t udp = mirror_udp(z->f, z->len), tot;

	if (!udp)
		return;
	tot = z->len - ETH_HLEN - (below(z, 4) ? 0 : below(z, 16));
	if (tot < udp - ETH_HLEN + 8)
		return;
	pkt_put16(z->f + ETH_HLEN + 2, (__u16)tot);
	pkt_put16(z->f + udp + 4, (__u16)(tot - (udp - ETH_HLEN)));
	if (is_geneve(z->f, udp) && below(z, 4))
		repair_carried(z, udp);
}

static void mutate_one(struct fuzz *z)
{
	size_t pos = below(z, z->len), n;
	const struct seed *s;

	switch (below(z, 10)) {
	case 0:
		z->f[pos] ^= 1u << below(z, 8);
		break;
	case 1:
		z->f[pos] = interesting[below(z, sizeof(interesting))];
		break;
	case 2:
		pos = fields[below(z, T_ARRAY_SIZE(fields))];
		if (pos < z->len)
			z->f[pos] = below(z, 2) ? interesting[below(z, sizeof(interesting))]
						: (__u8)rnd(z);
		break;
	case 3:
		z->len = ETH_HLEN + below(z, z->len - ETH_HLEN + 1);
		break;
	case 4:
		n = below(z, 64) + 1;
		if (z->len + n > FRAME_MAX)
			break;
		while (n--)
			z->f[z->len++] = (__u8)rnd(z);
		break;
	case 5: /* insert */
		n = below(z, 16) + 1;
		if (z->len + n > FRAME_MAX)
			break;
		memmove(z->f + pos + n, z->f + pos, z->len - pos);
		z->len += n;
		break;
	case 6: /* delete */
		n = below(z, 16) + 1;
		if (pos + n > z->len || z->len - n < ETH_HLEN)
			break;
		memmove(z->f + pos, z->f + pos + n, z->len - pos - n);
		z->len -= n;
		break;
	case 7: /* splice the tail of another seed */
		s = &z->seeds[below(z, z->n_seeds)];
		n = below(z, s->len);
		if (pos + s->len - n > FRAME_MAX)
			break;
		memcpy(z->f + pos, s->data + n, s->len - n);
		z->len = pos + s->len - n;
		if (z->len < ETH_HLEN)
			z->len = ETH_HLEN;
		break;
	case 8:
		mutate_outer_len(z);
		break;
	default:
		if (pos + 1 < z->len)
			pkt_put16(z->f + pos, (__u16)rnd(z));
		break;
	}
}

/* Repair the inner IPv4 and L4 checksums when the frame has our layout. */
static void repair(struct fuzz *z, int l4)
{
	size_t udp = vxlan_udp(z->f, z->len, mirror_udp(z->f, z->len)), ip, hlen, tot;
	__u32 sum;
	__u8 *p;

	ip = udp + 8 + 8 + ETH_HLEN;
	if (!udp || ip + 20 > z->len)
		return;
	p = z->f + ip;
	hlen = (p[0] & 0xf) * 4;
	tot = pkt_get16(p + 2);
	if (hlen < 20 || ip + hlen > z->len)
		return;
	pkt_put16(p + 10, 0);
	pkt_put16(p + 10, (__u16)~csum_fold_sum(p, hlen, 0));
	if (!l4 || tot < hlen + 8 || ip + tot > z->len)
		return;
	if (p[9] == IPPROTO_UDP && pkt_get16(p + hlen + 6) == 0)
		return;
	if (p[9] != IPPROTO_UDP && (p[9] != IPPROTO_TCP || tot < hlen + 20))
		return;
	sum = pkt_get16(p + 12) + pkt_get16(p + 14) + pkt_get16(p + 16) + pkt_get16(p + 18) + p[9] +
	      (tot - hlen);
	pkt_put16(p + hlen + (p[9] == IPPROTO_TCP ? 16 : 6), 0);
	pkt_put16(p + hlen + (p[9] == IPPROTO_TCP ? 16 : 6),
	     (__u16)~csum_fold_sum(p + hlen, tot - hlen, sum) ?: 0xffff);
}

static void make_frame(struct fuzz *z)
{
	const struct seed *s = &z->seeds[below(z, z->n_seeds)];
	size_t kind = below(z, 16), n, i, udp;

	if (kind == 0) { /* random bytes */
		z->len = ETH_HLEN + below(z, 1600);
		for (i = 0; i < z->len; i++)
			z->f[i] = (__u8)rnd(z);
		return;
	}
	memcpy(z->f, s->data, s->len);
	z->len = s->len;
	udp = vxlan_udp(z->f, z->len, mirror_udp(z->f, z->len));
	if (kind == 1 && udp && udp + 16 < z->len) { /* valid outer, random inner */
		for (i = udp + 16; i < z->len; i++)
			z->f[i] = (__u8)rnd(z);
		return;
	}
	n = 1 + below(z, 4);
	while (n--)
		mutate_one(z);
	if (below(z, 2))
		repair_outer(z);
	if (below(z, 2))
		repair(z, (int)below(z, 2));
}

/* ---- invariants ----------------------------------------------------------------- */

/* Bytes of the record that the rewrite may change (MACs, checksums, dst, port). */
static int rewritten(size_t i, size_t l4, __u8 proto)
{
	size_t csum = l4 + (proto == IPPROTO_TCP ? 16 : 6);

	return i < 12 || i == ETH_HLEN + 10 || i == ETH_HLEN + 11 ||
	       (i >= ETH_HLEN + 16 && i < ETH_HLEN + 20) || i == l4 + 2 || i == l4 + 3 ||
	       i == csum || i == csum + 1;
}

/* Does target `t` of a rule of family `v6` have a next hop (fuzz_nexthops)? */
static int has_nexthop(const struct vxfwd_target *t, int v6)
{
	__u8 a[16];
	size_t i;

	for (i = 0; fuzz_nexthops[i]; i++) {
		if (inet_pton(v6 ? AF_INET6 : AF_INET, fuzz_nexthops[i], a) != 1)
			continue;
		if (v6 ? !memcmp(a, t->addr6, 16) : !memcmp(a, &t->addr, 4))
			return 1;
	}
	return 0;
}

/*
 * The k-th target of `rule` with a next hop (records of one frame come in
 * target order, one per such target) into *t; the number of such targets.
 */
static unsigned int copy_target(const struct vxfwd_rule *rule, unsigned int k,
				struct vxfwd_target *t)
{
	int v6 = !!(rule->flags & VXFWD_RULE_F_NAT6);
	struct vxfwd_target x;
	unsigned int i, n = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; !vxfwd_rule_target(rule, i, &x); i++) {
		if (!has_nexthop(&x, v6))
			continue;
		if (n++ == k)
			*t = x;
	}
	return n;
}

static void check_rec_rewrite(struct fuzz *z, const struct hx_rec *r, const __u8 *in, size_t hlen,
			      __u8 proto, unsigned int k)
{
	const struct vxfwd_rule *rule = hx_rule(&z->h, r->hdr.rule);
	const __u8 *ip = r->frame + ETH_HLEN;
	size_t i, l4 = ETH_HLEN + hlen;
	struct vxfwd_target t;
	__be32 dst;

	if (!rule) {
		fail(z, "record names rule %u, which the ruleset does not have", r->hdr.rule);
		return;
	}
	copy_target(rule, k, &t);
	memcpy(&dst, ip + 16, 4);
	if (dst != t.addr || proto != rule->proto)
		fail(z, "record's destination or protocol is not rule %u's target's", r->hdr.rule);
	if ((t.flags & VXFWD_TARGET_F_PORT) && memcmp(ip + hlen + 2, &t.port_be, 2))
		fail(z, "record's destination port is not rule %u's target's", r->hdr.rule);
	if (memcmp(r->frame, hx_nh_mac, 6) || memcmp(r->frame + 6, hx_egress_mac, 6))
		fail(z, "record's MACs are not the next hop's and the egress'");
	for (i = 0; i < r->hdr.len; i++)
		if (!rewritten(i, l4, proto) && r->frame[i] != in[i]) {
			fail(z, "record byte %zu is %#x, the input's %#x", i, r->frame[i], in[i]);
			return;
		}
}

/*
 * The datagram of IPv4 header `ip` and UDP header `udp` ends at or before
 * `limit` as both its lengths declare it, and holds `end` (the end of the
 * record's inner frame); returns where it ends.
 */
static size_t check_dgram(struct fuzz *z, const char *layer, size_t ip, size_t udp, size_t limit,
			  size_t end)
{
	size_t ip_end = ip + pkt_get16(z->f + ip + 2);
	size_t udp_end = udp + pkt_get16(z->f + udp + 4);

	if (ip_end > limit)
		fail(z, "record from a frame whose %s IPv4 total length ends at %zu, past %zu",
		     layer, ip_end, limit);
	if (udp_end != ip_end)
		fail(z, "record from a frame whose %s UDP length ends at %zu, its IPv4 packet at %zu",
		     layer, udp_end, ip_end);
	if (end > udp_end || end > ip_end)
		fail(z,
		     "record's inner frame ends at %zu, past the %s datagram (UDP to %zu, IPv4 "
		     "to %zu)",
		     end, layer, udp_end, ip_end);
	return ip_end;
}

/*
 * A record's inner frame (len bytes after the VXLAN header of vudp) lies
 * inside the outer UDP payload as both outer lengths declare it, and inside
 * the carried one of a GENEVE frame.
 */
static void check_rec_outer(struct fuzz *z, size_t udp, size_t vudp, size_t len)
{
	size_t end = vudp + 16 + len, dend;

	dend = check_dgram(z, "outer", ETH_HLEN, udp, z->len, end);
	if (vudp != udp)
		check_dgram(z, "carried", geneve_carried(z->f, z->len, udp), vudp, dend, end);
}

/* Offset of the L4 header of an IPv6 packet past hop-by-hop and destination options, or 0. */
static size_t ip6_l4(const __u8 *ip6, size_t tot, __u8 *proto)
{
	size_t off = 40;
	__u8 nh = ip6[6];

	while ((nh == 0 || nh == 60) && off + 8 <= tot) {
		nh = ip6[off];
		off += (ip6[off + 1] + 1u) * 8;
	}
	*proto = nh;
	return (nh == IPPROTO_UDP || nh == IPPROTO_TCP) && off <= tot ? off : 0;
}

/* Bytes of an IPv6 record the rewrite may change (MACs, dst, port, checksum). */
static int rewritten6(size_t i, size_t l4, __u8 proto)
{
	size_t csum = l4 + (proto == IPPROTO_TCP ? 16 : 6);

	return i < 12 || (i >= ETH_HLEN + 24 && i < ETH_HLEN + 40) || i == l4 + 2 ||
	       i == l4 + 3 || i == csum || i == csum + 1;
}

/*
 * An IPv6 record: the packet fits its bytes and the input's, the L4 header
 * lies within the payload, the UDP checksum is not 0, a checksum that
 * verified still does, and only the rewritten bytes differ from the input.
 */
static void check_rec6(struct fuzz *z, const struct hx_rec *r, size_t udp, size_t vudp,
		       unsigned int k)
{
	const __u8 *in = z->f + vudp + 16, *ip6 = r->frame + ETH_HLEN;
	const struct vxfwd_rule *rule = hx_rule(&z->h, r->hdr.rule);
	size_t len = r->hdr.len, tot = len - ETH_HLEN, l4, i;
	struct vxfwd_target t;
	__u8 proto = 0;

	check_rec_outer(z, udp, vudp, len);
	l4 = ip6_l4(ip6, tot, &proto);
	if (ip6[0] >> 4 != 6 || 40u + pkt_get16(ip6 + 4) != tot || len > z->len - vudp - 16 || !l4 ||
	    l4 + (proto == IPPROTO_TCP ? 20 : 8) > tot) {
		fail(z, "record's IPv6 packet (payload length %u, L4 at %zu) does not fit its %zu bytes",
		     pkt_get16(ip6 + 4), l4, len);
		return;
	}
	if (proto == IPPROTO_UDP && !pkt_get16(ip6 + l4 + 6))
		fail(z, "IPv6 record with UDP checksum 0");
	if (!pkt_verify_csums(in, len) && pkt_verify_csums(r->frame, len))
		fail(z, "record's L4 checksum does not verify, the input's did");
	if (rule)
		copy_target(rule, k, &t);
	if (!rule || !(rule->flags & VXFWD_RULE_F_NAT6) || memcmp(ip6 + 24, t.addr6, 16) ||
	    proto != rule->proto) {
		fail(z, "record's destination or protocol is not rule %u's target's", r->hdr.rule);
		return;
	}
	if ((t.flags & VXFWD_TARGET_F_PORT) && memcmp(ip6 + l4 + 2, &t.port_be, 2))
		fail(z, "record's destination port is not rule %u's target's", r->hdr.rule);
	if (memcmp(r->frame, hx_nh_mac, 6) || memcmp(r->frame + 6, hx_egress_mac, 6))
		fail(z, "record's MACs are not the next hop's and the egress'");
	for (i = 0; i < len; i++)
		if (!rewritten6(i, ETH_HLEN + l4, proto) && r->frame[i] != in[i]) {
			fail(z, "record byte %zu is %#x, the input's %#x", i, r->frame[i], in[i]);
			return;
		}
}

/* Record `r`, the k-th copy of its frame. */
static void check_rec(struct fuzz *z, const struct hx_rec *r, size_t udp, unsigned int k)
{
	size_t vudp = vxlan_udp(z->f, z->len, udp);
	const __u8 *in = z->f + vudp + 16, *ip = r->frame + ETH_HLEN;
	size_t len = r->hdr.len, hlen, in_len = z->len - vudp - 16;
	__u16 in_csum, out_csum;
	int in_ok;

	if (!r->fits) {
		fail(z, "record of %zu bytes claims a %zu-byte frame", r->size, len);
		return;
	}
	if (!vudp || vudp + 16 > z->len) {
		fail(z, "record from a GENEVE frame without a carried UDP header");
		return;
	}
	if (len >= ETH_HLEN + 48 && pkt_get16(r->frame + 12) == ETH_P_IPV6) {
		check_rec6(z, r, udp, vudp, k);
		return;
	}
	if (len < ETH_HLEN + 20 || pkt_get16(r->frame + 12) != ETH_P_IP || ip[0] >> 4 != 4) {
		fail(z, "record is not an Ethernet/IPv4 frame");
		return;
	}
	check_rec_outer(z, udp, vudp, len);
	hlen = (ip[0] & 0xf) * 4;
	if (hlen < 20 || pkt_get16(ip + 2) != len - ETH_HLEN || len > in_len ||
	    (ip[9] != IPPROTO_UDP && ip[9] != IPPROTO_TCP) ||
	    len < ETH_HLEN + hlen + (ip[9] == IPPROTO_TCP ? 20 : 8)) {
		fail(z,
		     "record's IPv4 header (IHL %zu, total length %u, proto %u) does not fit "
		     "its %zu bytes",
		     hlen, pkt_get16(ip + 2), ip[9], len);
		return;
	}
	if (ip[9] == IPPROTO_UDP &&
	    (pkt_get16(ip + hlen + 4) < 8 || pkt_get16(ip + hlen + 4) > len - ETH_HLEN - hlen))
		fail(z, "record's UDP length %u does not fit its IPv4 payload of %zu bytes",
		     pkt_get16(ip + hlen + 4), len - ETH_HLEN - hlen);
	if (ip[9] == IPPROTO_TCP && (size_t)(ip[hlen + 12] >> 4) * 4 > len - ETH_HLEN - hlen)
		fail(z, "record's TCP header (data offset %u) does not fit its IPv4 payload",
		     ip[hlen + 12] >> 4);
	if (csum_fold_sum(ip, hlen, 0) != 0xffff)
		fail(z, "record's IPv4 header checksum does not verify");
	in_ok = !pkt_verify_csums(in, len);
	in_csum = pkt_get16(in + ETH_HLEN + hlen + (ip[9] == IPPROTO_TCP ? 16 : 6));
	out_csum = pkt_get16(ip + hlen + (ip[9] == IPPROTO_TCP ? 16 : 6));
	if (ip[9] == IPPROTO_UDP && !in_csum && out_csum)
		fail(z, "UDP checksum 0 became %#x", out_csum);
	else if (in_ok && pkt_verify_csums(r->frame, len))
		fail(z, "record's L4 checksum does not verify, the input's did");
	check_rec_rewrite(z, r, in, hlen, ip[9], k);
}

static void check_frame(struct fuzz *z, __u32 repeat)
{
	size_t udp = mirror_udp(z->f, z->len);
	unsigned int i;

	if (z->h.retval != (udp ? XDP_DROP : XDP_PASS))
		fail(z, "verdict %u for %s traffic", z->h.retval, udp ? "mirror" : "non-mirror");
	if (!udp && (z->h.out_len != z->len || memcmp(z->h.out, z->f, z->len)))
		fail(z, "passed frame was modified");
	const struct vxfwd_rule *rule = z->h.n_recs ? hx_rule(&z->h, z->h.recs[0].hdr.rule) : NULL;
	struct vxfwd_target t;
	unsigned int copies = rule ? copy_target(rule, 0, &t) : 1;

	if (z->h.n_recs && (!udp || !copies || z->h.n_recs != repeat * copies))
		fail(z, "%u ring records for %u runs of a %s frame (%u copies each)", z->h.n_recs,
		     repeat, udp ? "mirror" : "non-mirror", copies);
	for (i = 0; udp && copies && i < z->h.n_recs && i < HX_RECS; i++)
		check_rec(z, &z->h.recs[i], udp, i % copies);
	if (z->h.n_recs)
		z->fwd_frames += repeat;
	if (copies > 1)
		z->fanout_recs += z->h.n_recs;
	z->mirror += udp ? repeat : 0;
	if (udp && is_geneve(z->f, udp)) {
		z->geneve += repeat;
		z->geneve_fwd += z->h.n_recs;
	}
	z->passes += udp ? 0 : repeat;
	z->records += z->h.n_recs;
}

static int batch_check(struct fuzz *z)
{
	struct vxfwd_count c[VXFWD_C_MAX];
	struct vxfwd_target_count x;
	char why[200];
	int ret;

	ret = hx_counters(&z->h, c);
	if (ret < 0)
		return ret;
	if (hx_sum_check(z->base, c, why, sizeof(why)))
		fail(z, "counters: %s", why);
	if (c[VXFWD_C_RX].packets - z->base[VXFWD_C_RX].packets != z->runs ||
	    c[VXFWD_C_RX].bytes - z->base[VXFWD_C_RX].bytes != z->bytes)
		fail(z, "counters: RX moved by %llu, %llu frames were run",
		     (unsigned long long)(c[VXFWD_C_RX].packets - z->base[VXFWD_C_RX].packets),
		     (unsigned long long)z->runs);
	if (c[VXFWD_C_PASS].packets - z->base[VXFWD_C_PASS].packets != z->passes)
		fail(z, "counters: PASS moved by %llu, %llu frames passed",
		     (unsigned long long)(c[VXFWD_C_PASS].packets - z->base[VXFWD_C_PASS].packets),
		     (unsigned long long)z->passes);
	if (c[VXFWD_C_FORWARD].packets - z->base[VXFWD_C_FORWARD].packets != z->fwd_frames)
		fail(z, "counters: FORWARD moved by %llu, %llu frames left records",
		     (unsigned long long)(c[VXFWD_C_FORWARD].packets -
					  z->base[VXFWD_C_FORWARD].packets),
		     (unsigned long long)z->fwd_frames);
	if (maps_target_sum(z->h.m.target_counters, VXFWD_TARGET_CNT_EXTRA, &x))
		return -EIO;
	if (c[VXFWD_C_FORWARD].packets - z->base[VXFWD_C_FORWARD].packets +
		    x.queued.packets - z->extra != z->records)
		fail(z, "counters: FORWARD + extra copies moved by %llu, %llu records read",
		     (unsigned long long)(c[VXFWD_C_FORWARD].packets -
					  z->base[VXFWD_C_FORWARD].packets + x.queued.packets -
					  z->extra),
		     (unsigned long long)z->records);
	z->extra = x.queued.packets;
	z->forwarded += z->records;
	z->total_runs += z->runs;
	memcpy(z->base, c, sizeof(c));
	z->runs = z->bytes = z->passes = z->records = z->fwd_frames = 0;
	return 0;
}

static int fuzz_one(struct fuzz *z)
{
	__u32 repeat = below(z, 32) ? 1 : 2 + (__u32)below(z, 5);
	int ret;

	make_frame(z);
	ret = hx_run(&z->h, z->f, z->len, repeat);
	if (ret < 0) {
		fail(z, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
		return ret;
	}
	z->runs += repeat;
	z->bytes += (__u64)z->len * repeat;
	check_frame(z, repeat);
	z->frames++;
	return 0;
}

/*
 * Every BPF_PROG_TEST_RUN of an XDP program adds it to the kernel's XDP
 * dispatcher and removes it again, which rewrites the dispatcher image each
 * time (tens of microseconds).  With the program attached in native mode to
 * a veth in a private network namespace, it stays in the dispatcher and a
 * run costs what the program costs.  The namespace dies with the process.
 * Failing that, the fuzzer runs the slow way.
 */
static void pin_dispatcher(struct fuzz *z)
{
	int ifindex, ret;

	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s: slow runs\n", strerror(errno));
		return;
	}
	/* Both ends stay down: no frame of the kernel's own reaches it. */
	if (system("ip link add fz0 type veth peer name fz1")) {
		printf("# veth in a private namespace: cannot create: slow runs\n");
		return;
	}
	ifindex = (int)if_nametoindex("fz0");
	ret = bpf_xdp_attach(ifindex, bpf_program__fd(z->h.skel->progs.vxfwd_xdp),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (ret < 0)
		printf("# native XDP on a private veth: %s: slow runs\n", strerror(-ret));
}

/* ---- main ---------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void save_failures(struct fuzz *z)
{
	const char *dir = getenv("VXFWD_TEST_OUTDIR");
	char path[4096];
	size_t i;
	int ret;

	if (!z->n_saved)
		return;
	snprintf(path, sizeof(path), "%s/bpffuzz-fail.pcap", dir ? dir : ".");
	ret = pcap_write(path, z->saved, z->n_saved);
	fprintf(stderr, "bpffuzz: %zu failing frames %s %s%s%s\n", z->n_saved,
		ret < 0 ? "not written to" : "written to", path, ret < 0 ? ": " : "",
		ret < 0 ? strerror(-ret) : "");
	for (i = 0; i < z->n_saved; i++)
		free((void *)z->saved[i].data);
}

static void usage(void)
{
	fprintf(stderr, "usage: bpffuzz [-v] [--iterations N] [--seconds S] [--seed X]\n");
}

static int parse_args(int argc, char **argv, struct fuzz *z, __u64 *iters, double *secs)
{
	static const struct option opts[] = {
		{"iterations", required_argument, NULL, 'n'},
		{"seconds", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:s:S:v", opts, NULL)) != -1) {
		errno = 0;
		end = NULL;
		if (opt == 'n')
			*iters = strtoull(optarg, &end, 0);
		else if (opt == 's')
			*secs = strtod(optarg, &end);
		else if (opt == 'S')
			z->rng = strtoull(optarg, &end, 0);
		else if (opt == 'v')
			z->verbose = 1;
		else
			return -EINVAL;
		if (end && (*end || errno)) {
			fprintf(stderr, "bpffuzz: %s: not a number\n", optarg);
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static struct fuzz z;
	__u64 iters = 200000, i;
	double secs = 0, t0, el;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	z.rng = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	if (parse_args(argc, argv, &z, &iters, &secs)) {
		usage();
		return 2;
	}
	if (!z.rng)
		z.rng = 1;
	printf("# seed %#llx (rerun with --seed)\n", (unsigned long long)z.rng);
	ret = hx_open(&z.h, 0);
	if (ret == T_EXIT_SKIP)
		return ret;
	if (!ret)
		ret = hx_apply(&z.h, "fuzz", fuzz_rules, fuzz_nexthops);
	if (!ret)
		ret = seed_corpus(&z);
	if (!ret)
		ret = seed_pcaps(&z);
	if (!ret)
		ret = hx_counters(&z.h, z.base);
	if (ret < 0) {
		fprintf(stderr, "bpffuzz: setup: %s\n", strerror(-ret));
		ret = T_EXIT_FAIL;
		goto out;
	}
	pin_dispatcher(&z);
	printf("# %zu seeds\n", z.n_seeds);
	t0 = now();
	for (i = 0; secs > 0 || i < iters; i++) {
		if (fuzz_one(&z) < 0 || z.failed > 1000)
			break;
		if ((i + 1) % BATCH)
			continue;
		if (batch_check(&z) < 0 || (secs > 0 && now() - t0 >= secs))
			break;
	}
	if (batch_check(&z) < 0)
		fail(&z, "counters: cannot read them");
	el = now() - t0;
	printf("# %llu frames (%llu runs) in %.1f s, %.0f frames/s: %llu mirror, %llu forwarded, "
	       "%u failures\n",
	       (unsigned long long)z.frames, (unsigned long long)z.total_runs, el,
	       el > 0 ? z.frames / el : 0.0, (unsigned long long)z.mirror,
	       (unsigned long long)z.forwarded, z.failed);
	printf("# GENEVE: %llu runs, %llu forwarded\n", (unsigned long long)z.geneve,
	       (unsigned long long)z.geneve_fwd);
	printf("# fan-out: %llu records of frames with several copies\n",
	       (unsigned long long)z.fanout_recs);
	save_failures(&z);
	ret = z.failed ? T_EXIT_FAIL : T_EXIT_PASS;
out:
	for (i = 0; i < z.n_seeds; i++)
		free(z.seeds[i].data);
	hx_close(&z.h);
	return ret;
}
