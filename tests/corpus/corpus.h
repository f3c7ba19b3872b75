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
	CB_INNER_IP_END,      /* inner IPv4 header (options included), or fixed IPv6
				 header, incomplete */
	CB_FRAME_END,	      /* inner IPv4 total length (IPv6: payload) not all there */
	CB_MAX,
};

struct corpus_sweep {
	const char *name;
	struct pkt_spec p;
	enum vxfwd_counter band[CB_MAX]; /* counter for cuts before each bound */
	enum vxfwd_counter full;	 /* the whole frame */
	int lost; /* 0: the mirror cut the frame, the outer lengths count what is
		   * left; 1: bytes lost after the outer lengths were written */
};

extern const struct corpus_sweep corpus_sweeps[];
extern const size_t corpus_n_sweeps;

/* The builder parameters of cut `len` of sweep `s` (full: its whole length). */
struct pkt_spec corpus_sweep_spec(const struct corpus_sweep *s, size_t full, size_t len);

/*
 * Outer length sweeps: one outer length field of a whole frame (with o_pad
 * bytes of Ethernet padding after its IPv4 packet) written with every value
 * from 1 to 64 bytes beyond the frame, and 65535.  Only the values that
 * keep the VXLAN header and the inner frame within the datagram, and the
 * datagram within the frame, give the frame's own verdict; every other
 * value is DROP_OUTER_LEN.
 */
enum corpus_len_field {
	CL_TOT_UDP = 0, /* IPv4 total length, UDP length written to match it */
	CL_TOT,		/* IPv4 total length alone */
	CL_UDP,		/* UDP length alone */
};

struct corpus_len_sweep {
	const char *name;
	struct pkt_spec p;
	enum corpus_len_field field;
	enum vxfwd_counter ok; /* the verdict when the lengths are valid */
};

extern const struct corpus_len_sweep corpus_len_sweeps[];
extern const size_t corpus_n_len_sweeps;

/* Largest value swept for `s`, whose whole frame is `full` bytes long. */
unsigned int corpus_len_max(size_t full);

/*
 * Build sweep `s` with its field set to `v` into `p`; *want receives the
 * verdict.  0 or -errno.
 */
int corpus_len_build(const struct corpus_len_sweep *s, unsigned int v, struct pkt *p,
		     enum vxfwd_counter *want);

/* Build case `c` into `p`: 0 or -errno. */
int corpus_build(const struct corpus_case *c, struct pkt *p);

/* Offsets of the bounds of a frame built from `s` (as built, before cuts). */
int corpus_bounds(const struct pkt_spec *s, size_t bound[CB_MAX]);

/* Recompute the inner IPv4 header and L4 checksums of `p` in full. */
int corpus_fix_csums(struct pkt *p);

#endif /* VXFWD_TEST_CORPUS_H */
