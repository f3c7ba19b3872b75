// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_fanout.c - fan-out rules through BPF_PROG_TEST_RUN (part of
 * test_xdp's table run): a frame matching a rule of several DNAT targets
 * leaves one ring record per target that has a next hop, in target order,
 * each rewritten for its own target (compared byte for byte with the frame
 * pkt_expect() computes, full checksums recomputed on the record too); a
 * target without a next hop is counted and skipped; the frame itself counts
 * once (RX and FORWARD, its rule once), the copies in vxfwd_tgt_cnt
 * (those beyond the first in its extra slot too: records == FORWARD +
 * extra).  A
 * ring with room for only some copies of a frame takes the first ones.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "pkt.h"
#include "vxfwd_dsl.h"
#include "xdp_fanout.h"

/* clang-format off */
static const char fanout_rules[] =
	HX_RULES_INGRESS("1")
	"set exporters { 198.51.100.0/24, 2001:db8:1::/64 }\n"
	"forward two udp from @exporters to port 2055 dnat 172.30.82.95 port 8081, 172.30.82.96\n"
	"forward four udp from @exporters to port 2056 dnat 172.30.82.95, 172.30.82.95 port 9000,"
	" 172.30.82.97 port 2057, 172.30.82.98 port 1\n"
	"forward gap tcp from @exporters to port 2058 dnat 172.30.82.95 port 1,"
	" 172.30.82.99 port 2, 172.30.82.96 port 3\n"
	"forward none udp from @exporters to port 2059 dnat 172.30.82.99, 172.30.82.100\n"
	"forward one udp from @exporters to port 2060 dnat 172.30.82.99\n"
	"forward two6 udp from @exporters to port 2055 dnat fd00:82::5 port 8081, fd00:82::6\n"
	"forward four6 tcp from @exporters to port 22 dnat fd00:82::5, fd00:82::6 port 2222,"
	" fd00:82::7 port 22, fd00:82::8 port 1\n"
	"forward gap6 udp from @exporters to port 2061 dnat fd00:82::99, fd00:82::6 port 7\n";

static const char *const fanout_nexthops[] = {
	"172.30.82.95", "172.30.82.96", "172.30.82.97", "172.30.82.98",
	"fd00:82::5",	"fd00:82::6",	"fd00:82::7",	"fd00:82::8",
	NULL,
};
/* clang-format on */

/* What must become of the copy for one target. */
enum fres { Q = 1, NONH, FULL };

struct ftarget {
	const char *nat;
	__u16 port; /* 0: the frame's */
	enum fres res;
};

struct fcase {
	const char *name;
	struct pkt_spec p;
	enum vxfwd_counter want;
	const char *rule;
	struct ftarget t[VXFWD_MAX_TARGETS];
};

#define TCP 6
/* clang-format off */
#define V6(...) {.i6 = 1, .src = "2001:db8:1::7", .dst = "2001:db8:ff::1", __VA_ARGS__}

static const struct fcase fanout_cases[] = {
	{"two", {.dport = 2055, .payload = 40}, VXFWD_C_FORWARD, "two",
	 {{"172.30.82.95", 8081, Q}, {"172.30.82.96", 0, Q}}},
	{"two-udp-csum-0", {.dport = 2055, .udp_csum0 = 1, .payload = 9}, VXFWD_C_FORWARD, "two",
	 {{"172.30.82.95", 8081, Q}, {"172.30.82.96", 0, Q}}},
	{"four", {.dport = 2056, .payload = 300}, VXFWD_C_FORWARD, "four",
	 {{"172.30.82.95", 0, Q}, {"172.30.82.95", 9000, Q}, {"172.30.82.97", 2057, Q},
	  {"172.30.82.98", 1, Q}}},
	{"four-jumbo", {.dport = 2056, .payload = 9000 - 28}, VXFWD_C_FORWARD, "four",
	 {{"172.30.82.95", 0, Q}, {"172.30.82.95", 9000, Q}, {"172.30.82.97", 2057, Q},
	  {"172.30.82.98", 1, Q}}},
	{"gap-middle-no-nexthop", {.i_proto = TCP, .dport = 2058, .payload = 70}, VXFWD_C_FORWARD,
	 "gap", {{"172.30.82.95", 1, Q}, {"172.30.82.99", 2, NONH}, {"172.30.82.96", 3, Q}}},
	{"none-has-nexthop", {.dport = 2059}, VXFWD_C_DROP_NO_NEXTHOP, "none",
	 {{"172.30.82.99", 0, NONH}, {"172.30.82.100", 0, NONH}}},
	{"single-no-nexthop", {.dport = 2060}, VXFWD_C_DROP_NO_NEXTHOP, "one",
	 {{"172.30.82.99", 0, NONH}}},
	{"two6", V6(.dport = 2055, .payload = 33), VXFWD_C_FORWARD, "two6",
	 {{"fd00:82::5", 8081, Q}, {"fd00:82::6", 0, Q}}},
	{"four6-tcp", V6(.i_proto = TCP, .dport = 22, .payload = 1200), VXFWD_C_FORWARD, "four6",
	 {{"fd00:82::5", 0, Q}, {"fd00:82::6", 2222, Q}, {"fd00:82::7", 22, Q},
	  {"fd00:82::8", 1, Q}}},
	{"gap6-first-no-nexthop", V6(.dport = 2061, .payload = 5), VXFWD_C_FORWARD, "gap6",
	 {{"fd00:82::99", 0, NONH}, {"fd00:82::6", 7, Q}}},
};
/* clang-format on */

static struct pkt fpkt;
static __u8 fexp[VXFWD_MAX_TARGETS][HX_OUT_MAX];

static size_t n_targets(const struct fcase *c)
{
	size_t n = 0;

	while (n < VXFWD_MAX_TARGETS && c->t[n].nat)
		n++;
	return n;
}

/* The frame target `t` must receive, its checksums verified on their own. */
static int expect(const struct fcase *c, const struct ftarget *t, __u8 *out)
{
	const __u8 *in = fpkt.buf + fpkt.inner_off;
	struct in6_addr a6;

	if (c->p.i6) {
		if (inet_pton(AF_INET6, t->nat, &a6) != 1 ||
		    pkt_expect6(in, fpkt.inner_len, a6.s6_addr, t->port, hx_nh_mac, hx_egress_mac,
				out))
			return -1;
	} else if (pkt_expect(in, fpkt.inner_len, hx_addr(t->nat), t->port, hx_nh_mac,
			      hx_egress_mac, out)) {
		return -1;
	}
	return pkt_verify_csums(out, fpkt.inner_len);
}

/* Slot `key` of vxfwd_tgt_cnt summed over CPUs. */
static int target_slot(const struct hx *h, __u32 key, struct vxfwd_target_count *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vxfwd_target_count pc[512];
	int i;

	memset(out, 0, sizeof(*out));
	if (ncpu < 0 || ncpu > 512 || bpf_map_lookup_elem(h->m.target_counters, &key, pc))
		return -1;
	for (i = 0; i < ncpu; i++) {
		out->queued.packets += pc[i].queued.packets;
		out->queued.bytes += pc[i].queued.bytes;
		out->no_nexthop.packets += pc[i].no_nexthop.packets;
		out->no_nexthop.bytes += pc[i].no_nexthop.bytes;
		out->ring_full.packets += pc[i].ring_full.packets;
		out->ring_full.bytes += pc[i].ring_full.bytes;
	}
	return 0;
}

/*
 * The counters of rule `pos`'s targets into tc[0..VXFWD_MAX_TARGETS), and
 * the copies beyond each frame's first (VXFWD_TARGET_CNT_EXTRA) into
 * tc[VXFWD_MAX_TARGETS].
 */
static int read_targets(const struct hx *h, int pos, struct vxfwd_target_count *tc)
{
	__u32 t, base = (h->gen * VXFWD_MAX_RULES + (__u32)pos) * VXFWD_MAX_TARGETS;

	for (t = 0; t < VXFWD_MAX_TARGETS; t++)
		if (target_slot(h, base + t, &tc[t]))
			return -1;
	return target_slot(h, VXFWD_TARGET_CNT_EXTRA, &tc[VXFWD_MAX_TARGETS]);
}

/* Records beyond the first of a forwarded frame counted as extra copies. */
static void check_extra(struct t_report *r, const char *name, __u64 want, __u64 len,
			const struct vxfwd_target_count *a, const struct vxfwd_target_count *b)
{
	__u64 dp = b->queued.packets - a->queued.packets, db = b->queued.bytes - a->queued.bytes;

	if (dp != want || db != want * len || b->no_nexthop.packets != a->no_nexthop.packets ||
	    b->ring_full.packets != a->ring_full.packets)
		t_fail(r, name, "extra copies moved by %llu (%llu bytes), want %llu",
		       (unsigned long long)dp, (unsigned long long)db, (unsigned long long)want);
}

/*
 * One target's counter deltas: the copy lands in the field of its result
 * with the frame's length, the others stay; a single-target rule's queued
 * copy is its rule's frame and is not counted here.
 */
static void check_target_delta(struct t_report *r, const struct fcase *c, size_t t, size_t n,
			       const struct vxfwd_target_count *a,
			       const struct vxfwd_target_count *b)
{
	const enum fres res = c->t[t].res;
	const __u64 len = fpkt.inner_len;
	const __u64 q = res == Q && n > 1, nn = res == NONH, f = res == FULL;

	if (b->queued.packets - a->queued.packets != q ||
	    b->queued.bytes - a->queued.bytes != q * len ||
	    b->no_nexthop.packets - a->no_nexthop.packets != nn ||
	    b->no_nexthop.bytes - a->no_nexthop.bytes != nn * len ||
	    b->ring_full.packets - a->ring_full.packets != f ||
	    b->ring_full.bytes - a->ring_full.bytes != f * len)
		t_fail(r, c->name,
		       "target %zu (%s) counted queued %llu, no_nexthop %llu, ring_full %llu; "
		       "want %llu, %llu, %llu",
		       t, c->t[t].nat, (unsigned long long)(b->queued.packets - a->queued.packets),
		       (unsigned long long)(b->no_nexthop.packets - a->no_nexthop.packets),
		       (unsigned long long)(b->ring_full.packets - a->ring_full.packets),
		       (unsigned long long)q, (unsigned long long)nn, (unsigned long long)f);
}

/* The records, in target order, one per queued target. */
static void check_records(struct t_report *r, const struct hx *h, const struct fcase *c, int pos,
			  size_t n)
{
	const struct hx_rec *rec;
	size_t t, k = 0;

	for (t = 0; t < n; t++) {
		if (c->t[t].res != Q)
			continue;
		if (k >= h->n_recs || k >= HX_RECS) {
			t_fail(r, c->name, "no record for target %zu (%s)", t, c->t[t].nat);
			return;
		}
		rec = &h->recs[k++];
		if (!rec->fits || rec->hdr.rule != pos || rec->hdr.len != fpkt.inner_len ||
		    memcmp(rec->frame, fexp[t], fpkt.inner_len)) {
			t_fail(r, c->name,
			       "record %zu (rule %u, %u bytes) is not target %zu's (%s)", k - 1,
			       rec->hdr.rule, rec->hdr.len, t, c->t[t].nat);
			t_fail_pcap(r, c->name, fpkt.buf, fpkt.len, rec->frame, rec->hdr.len,
				    fexp[t], fpkt.inner_len);
			continue;
		}
		if (pkt_verify_csums(rec->frame, rec->hdr.len))
			t_fail(r, c->name, "record of target %zu has a bad checksum", t);
	}
	if (h->n_recs != k)
		t_fail(r, c->name, "%u records, want %zu", h->n_recs, k);
}

static void run_fcase(struct hx *h, struct t_report *r, const struct fcase *c)
{
	struct vxfwd_count before[VXFWD_C_MAX], after[VXFWD_C_MAX], rb, ra;
	struct vxfwd_target_count ta[VXFWD_MAX_TARGETS + 1], tb[VXFWD_MAX_TARGETS + 1];
	int pos = hx_rule_pos(h, c->rule);
	size_t t, n = n_targets(c);
	__u64 fwd = c->want == VXFWD_C_FORWARD;

	r->cases++;
	if (pos < 0 || pkt_build(&c->p, &fpkt)) {
		t_fail(r, c->name, "cannot build the frame or find rule '%s'", c->rule);
		return;
	}
	for (t = 0; t < n; t++)
		if (expect(c, &c->t[t], fexp[t])) {
			t_fail(r, c->name, "cannot compute target %zu's frame", t);
			return;
		}
	if (read_targets(h, pos, tb) ||
	    hx_percpu_sum(h->m.rule_counters, h->gen * VXFWD_MAX_RULES + pos, &rb) < 0 ||
	    hx_run_counted(h, fpkt.buf, fpkt.len, 1, before, after) < 0 ||
	    read_targets(h, pos, ta) ||
	    hx_percpu_sum(h->m.rule_counters, h->gen * VXFWD_MAX_RULES + pos, &ra) < 0) {
		t_fail(r, c->name, "cannot run the frame or read its counters");
		return;
	}
	hx_check_deltas(r, c->name, before, after, c->want, 1, fpkt.len);
	if (ra.packets - rb.packets != fwd || ra.bytes - rb.bytes != fwd * fpkt.inner_len)
		t_fail(r, c->name, "rule '%s' counted %llu frames, want %llu", c->rule,
		       (unsigned long long)(ra.packets - rb.packets), (unsigned long long)fwd);
	for (t = 0; t < VXFWD_MAX_TARGETS; t++)
		check_target_delta(r, c, t, n, &tb[t], &ta[t]);
	check_records(r, h, c, pos, n);
	check_extra(r, c->name, h->n_recs ? h->n_recs - 1 : 0, fpkt.inner_len,
		    &tb[VXFWD_MAX_TARGETS], &ta[VXFWD_MAX_TARGETS]);
}

/*
 * Frames of the four-target rule in the 4096-byte size class run without
 * draining the ring: a frame is taken while the ring has room for one
 * largest record (9216 bytes), then its copies go in target order until the
 * ring refuses one, so the last frames taken leave only their first copies.  Every record is a
 * queued copy, target 0 is queued for every forwarded frame, every target was tried for each of
 * them, and an earlier target never got fewer copies than a later one.
 */
static void run_fanout_ring(struct hx *h, struct t_report *r, __u32 ring_bytes)
{
	const struct pkt_spec p = {.dport = 2056, .payload = 3000};
	struct vxfwd_count before[VXFWD_C_MAX], after[VXFWD_C_MAX];
	struct vxfwd_target_count ta[VXFWD_MAX_TARGETS + 1], tb[VXFWD_MAX_TARGETS + 1];
	__u32 n = ring_bytes / (4 * 4096) + 8;
	__u64 q[VXFWD_MAX_TARGETS], rf[VXFWD_MAX_TARGETS], sum = 0, fwd, full;
	int pos = hx_rule_pos(h, "four"), bad = 0;
	size_t t;

	r->cases++;
	if (pos < 0 || pkt_build(&p, &fpkt) || read_targets(h, pos, tb) ||
	    hx_run_counted(h, fpkt.buf, fpkt.len, n, before, after) < 0 ||
	    read_targets(h, pos, ta)) {
		t_fail(r, "ring-some-copies", "cannot run the frames");
		return;
	}
	fwd = after[VXFWD_C_FORWARD].packets - before[VXFWD_C_FORWARD].packets;
	full = after[VXFWD_C_DROP_RING_FULL].packets - before[VXFWD_C_DROP_RING_FULL].packets;
	for (t = 0; t < VXFWD_MAX_TARGETS; t++) {
		q[t] = ta[t].queued.packets - tb[t].queued.packets;
		rf[t] = ta[t].ring_full.packets - tb[t].ring_full.packets;
		sum += q[t];
		bad |= q[t] + rf[t] != fwd || (t && q[t] > q[t - 1]);
	}
	bad |= fwd + full != n || q[0] != fwd || sum != h->n_recs || sum >= 4 * fwd || !full;
	check_extra(r, "ring-some-copies", sum - fwd, fpkt.inner_len, &tb[VXFWD_MAX_TARGETS],
		    &ta[VXFWD_MAX_TARGETS]);
	if (bad)
		t_fail(r, "ring-some-copies",
		       "%u frames: forward %llu, ring-full %llu, %u records; queued %llu %llu %llu "
		       "%llu, ring-full %llu %llu %llu %llu",
		       n, (unsigned long long)fwd, (unsigned long long)full, h->n_recs,
		       (unsigned long long)q[0], (unsigned long long)q[1], (unsigned long long)q[2],
		       (unsigned long long)q[3], (unsigned long long)rf[0],
		       (unsigned long long)rf[1], (unsigned long long)rf[2],
		       (unsigned long long)rf[3]);
	printf("# ring-some-copies: %u frames, forward %llu, ring-full %llu, copies queued %llu\n",
	       n, (unsigned long long)fwd, (unsigned long long)full, (unsigned long long)sum);
}

void xdp_fanout(struct hx *h, struct t_report *r, __u32 ring_bytes)
{
	size_t i;

	r->group = "fanout";
	if (hx_apply(h, "fanout", fanout_rules, fanout_nexthops) < 0) {
		t_fail(r, "apply", "cannot seed the maps");
		return;
	}
	for (i = 0; i < sizeof(fanout_cases) / sizeof(fanout_cases[0]); i++)
		run_fcase(h, r, &fanout_cases[i]);
	run_fanout_ring(h, r, ring_bytes);
}
