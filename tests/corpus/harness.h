/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.h - the XDP program under BPF_PROG_TEST_RUN for the hostile-input
 * tests (tests/corpus, tests/bpffuzz).
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

#define HX_EXIT_SKIP 77
#define HX_OUT_MAX   (16384 + 4096)
#define HX_RECS	     8 /* records kept per run; more are only counted */

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
};

/* The MACs the harness gives the egress interface and every next hop. */
extern const __u8 hx_egress_mac[6];
extern const __u8 hx_nh_mac[6];

extern const char *const hx_counter_names[VXFWD_C_MAX];

/*
 * 0, HX_EXIT_SKIP with a reason printed when the kernel or the user cannot
 * run BPF_PROG_TEST_RUN, or a negative errno.  ring_bytes 0: the default.
 */
int hx_open(struct hx *h, __u32 ring_bytes);
void hx_close(struct hx *h);

/* Load `rules`, apply them, give `nexthops` (NULL-terminated) a MAC. */
int hx_apply(struct hx *h, const char *name, const char *rules, const char *const *nexthops);

/* Run one frame `repeat` times, then drain the ring.  0 or -errno. */
int hx_run(struct hx *h, const __u8 *data, size_t len, __u32 repeat);

int hx_counters(const struct hx *h, struct vxfwd_count *c);

/* The rule at position `pos` of the active ruleset, NULL when none. */
const struct vxfwd_rule *hx_rule(const struct hx *h, __u32 pos);

__be32 hx_addr(const char *s);

/*
 * 0 when RX == PASS + FORWARD + sum(DROP_*) in packets and bytes between
 * `a` and `b`; otherwise -EPROTO with the figures in `why` (size n).
 */
int hx_sum_check(const struct vxfwd_count *a, const struct vxfwd_count *b, char *why, size_t n);

#endif /* VXFWD_TEST_HARNESS_H */
