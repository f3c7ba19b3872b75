/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * corpus.h - the hostile packet corpus: malformed and unusual mirror
 * traffic, each case with the counter it must land in.  The table is run by
 * test_corpus and seeds the BPF fuzzer (tests/bpffuzz).
 */
#ifndef VXFWD_TEST_CORPUS_H
#define VXFWD_TEST_CORPUS_H

#include <stddef.h>
#include <linux/types.h>

#include "pkt.h"
#include "vxfwd_abi.h"

/* Rules and next hops every case is judged by. */
extern const char corpus_rules[];
extern const char *const corpus_nexthops[];

/* One case: builder parameters, bytes the builder has no knob for, verdict. */
struct corpus_case {
	const char *name;
	struct pkt_spec p;
	int (*fix)(struct pkt *p); /* NULL: the frame as built */
	enum vxfwd_counter want;
	const char *nat;  /* FORWARD: DNAT target */
	__u16 nat_port;	  /* FORWARD: new port, 0 = unchanged */
	const char *rule; /* FORWARD: name of the rule */
};

extern const struct corpus_case corpus_cases[];
extern const size_t corpus_n_cases;

/*
 * Truncation sweeps: a frame cut to every length from ETH_HLEN to its full
 * length.  The counter a cut lands in depends on the header the cut falls
 * into; bands[] maps each header boundary to it.
 */
enum corpus_bound {
	CB_OUTER_UDP_END = 0, /* shorter: not recognisable as mirror traffic */
	CB_VXLAN_END,	      /* VXLAN header incomplete */
	CB_INNER_ETH_END,     /* inner Ethernet header incomplete */
	CB_INNER_IP_END,      /* inner IPv4 header (options included) incomplete */
	CB_FRAME_END,	      /* inner IPv4 total length not all there */
	CB_MAX,
};

struct corpus_sweep {
	const char *name;
	struct pkt_spec p;
	enum vxfwd_counter band[CB_MAX]; /* counter for cuts before each bound */
	enum vxfwd_counter full;	 /* the whole frame */
};

extern const struct corpus_sweep corpus_sweeps[];
extern const size_t corpus_n_sweeps;

/* Build case `c` into `p`: 0 or -errno. */
int corpus_build(const struct corpus_case *c, struct pkt *p);

/* Offsets of the bounds of a frame built from `s` (as built, before cuts). */
int corpus_bounds(const struct pkt_spec *s, size_t bound[CB_MAX]);

/* Recompute the inner IPv4 header and L4 checksums of `p` in full. */
int corpus_fix_csums(struct pkt *p);

#endif /* VXFWD_TEST_CORPUS_H */
