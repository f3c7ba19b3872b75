/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.h - the XDP program under BPF_PROG_TEST_RUN for the tests that
 * run frames through it (tests/bpf, tests/corpus, tests/bpffuzz,
 * tests/guard): the skeleton opened and loaded, maps seeded, one frame run,
 * counters read and judged.
 *
 * Maps are seeded from rules text through vxfwd_dsl_load_string() and
 * maps_apply(), the path `vxfwd run` takes; next hops are set through
 * maps_set_nexthop().  Ring records are copied out by a callback so that
 * every one of them can be checked.
 */
#ifndef VXFWD_TEST_HARNESS_H
#define VXFWD_TEST_HARNESS_H

#include <stddef.h>
#include <linux/types.h>

#include "maps.h"
#include "vxfwd_abi.h"
#include "vxfwd_test.h"

#define HX_OUT_MAX (16384 + 4096)
#define HX_RECS	   8 /* records kept per run; more are only counted */

struct vxfwd_bpf;
struct vxfwd_ruleset;
struct ring_buffer;

/* struct vxfwd_rec without its flexible frame[], so that it can sit
 * in front of a fixed frame buffer in ISO C. */
struct hx_rec_hdr {
	__u32 len;
	__u16 rule;
	__u16 cpu;
	__u64 tstamp_ns;
};
_Static_assert(sizeof(struct hx_rec_hdr) == sizeof(struct vxfwd_rec) &&
		       offsetof(struct hx_rec_hdr, len) == offsetof(struct vxfwd_rec, len) &&
		       offsetof(struct hx_rec_hdr, rule) == offsetof(struct vxfwd_rec, rule) &&
		       offsetof(struct hx_rec_hdr, cpu) == offsetof(struct vxfwd_rec, cpu) &&
		       offsetof(struct hx_rec_hdr, tstamp_ns) ==
			       offsetof(struct vxfwd_rec, tstamp_ns),
	       "struct hx_rec_hdr must mirror struct vxfwd_rec");

/* One ring record as the consumer saw it. */
struct hx_rec {
	size_t size; /* bytes the ring gave, header included */
	struct hx_rec_hdr hdr;
	__u8 frame[VXFWD_MAX_FRAME];
	int fits; /* hdr.len fits in size and in frame[] */
};

struct hx {
	struct vxfwd_bpf *skel;
	struct vxfwd_maps m;
	struct ring_buffer *rb;
	struct vxfwd_ruleset *rs; /* the ruleset applied last */
	__u32 gen;
	unsigned int n_recs; /* records of the last run */
	struct hx_rec recs[HX_RECS];
	__u32 retval;
	__u8 out[HX_OUT_MAX];
	__u32 out_len;
	__u64 t0, t1; /* CLOCK_MONOTONIC (bpf_ktime_get_ns()) around the last run */
};

/* Rules text the tests build their rulesets from. */
#define HX_RULES_INGRESS(vnis)                                                                     \
	"ingress ens5 {\n"                                                                         \
	"\tvxlan port 4789, 8472\n"                                                                \
	"\tvni " vnis "\n"                                                                         \
	"}\n"                                                                                      \
	"egress ens6\n"
/* The same, with the mirror also arriving in GENEVE on 6081 (a GWLB endpoint). */
#define HX_RULES_INGRESS_GENEVE(vnis)                                                              \
	"ingress ens5 {\n"                                                                         \
	"\tvxlan port 4789, 8472\n"                                                                \
	"\tgeneve port 6081\n"                                                                     \
	"\tvni " vnis "\n"                                                                         \
	"}\n"                                                                                      \
	"egress ens6\n"
#define HX_RULES_EXAMPLE_ORG                                                                       \
	"\torg \"Example Org\" id 1001 {\n"                                                        \
	"\t\t198.51.100.10\n"                                                                      \
	"\t\t198.51.100.11\n"                                                                      \
	"\t}\n"
#define HX_RULES_DNS_SSH                                                                           \
	"forward dns udp from @exporters to port 31765 dnat 172.30.82.95 port 8081\n"              \
	"forward ssh tcp from @exporters to port 22 dnat 172.30.82.95 port 2222\n"

/* The MACs the harness gives the egress interface and every next hop. */
extern const __u8 hx_egress_mac[6];
extern const __u8 hx_nh_mac[6];

/* Non-zero: libbpf's debug output too (as does $HX_VERBOSE). */
extern int hx_verbose;

/*
 * 0, T_EXIT_SKIP with a reason printed when the kernel or the user cannot
 * run BPF_PROG_TEST_RUN, or a negative errno.  ring_bytes 0: the default.
 */
int hx_open(struct hx *h, __u32 ring_bytes);
void hx_close(struct hx *h);

/* Load `rules`, apply them, give `nexthops` (NULL-terminated) a MAC. */
int hx_apply(struct hx *h, const char *name, const char *rules, const char *const *nexthops);

/* Run one frame `repeat` times, then drain the ring.  0 or -errno. */
int hx_run(struct hx *h, const __u8 *data, size_t len, __u32 repeat);

/* hx_run() with the counters read before and after.  0 or -errno. */
int hx_run_counted(struct hx *h, const __u8 *data, size_t len, __u32 repeat,
		   struct vxfwd_count *before, struct vxfwd_count *after);

int hx_counters(const struct hx *h, struct vxfwd_count *c);

/* Sum over CPUs of slot `idx` of a per-CPU struct vxfwd_count map. */
int hx_percpu_sum(int fd, __u32 idx, struct vxfwd_count *sum);

/* Position of rule `name` in the active ruleset, -1 when none. */
int hx_rule_pos(const struct hx *h, const char *name);

/* The rule at position `pos` of the active ruleset, NULL when none. */
const struct vxfwd_rule *hx_rule(const struct hx *h, __u32 pos);

__be32 hx_addr(const char *s);

/*
 * 0 when RX == PASS + FORWARD + sum(DROP_*) in packets and bytes between
 * `a` and `b`; otherwise -EPROTO with the figures in `why` (size n).
 */
int hx_sum_check(const struct vxfwd_count *a, const struct vxfwd_count *b, char *why, size_t n);

/*
 * Every counter moved from `a` to `b` by what one verdict `want` over `n`
 * frames of `bytes` bytes each says: RX and `want` by n, the others not.
 * Each one that did not is a failure of case `name`; -1 when any.
 */
int hx_check_deltas(struct t_report *r, const char *name, const struct vxfwd_count *a,
		    const struct vxfwd_count *b, enum vxfwd_counter want, __u64 n, __u64 bytes);

/* What one run of a frame must show. */
struct hx_want {
	enum vxfwd_counter counter;
	const char *rule; /* FORWARD: the rule named by the record */
	const __u8 *exp;  /* FORWARD: the frame in the record */
	size_t exp_len;
};

/*
 * Judge the last run of frame `in` (len bytes, counters `a` before and `b`
 * after): the verdict, every counter's delta, a passed frame untouched, and
 * one ring record holding want->exp through want->rule for FORWARD (none
 * otherwise).  Failures go to `r` as case `name`.  Returns -1 when the
 * record of a FORWARD frame is wrong, 0 otherwise.
 */
int hx_judge(struct t_report *r, const char *name, const struct hx *h, const __u8 *in, size_t len,
	     const struct vxfwd_count *a, const struct vxfwd_count *b, const struct hx_want *want);

#endif /* VXFWD_TEST_HARNESS_H */
